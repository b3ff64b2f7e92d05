// The console's place lives in the URL's hash (`#/data-sources/<id>/<environment id>`,
// `#/apps/<id>`), so a reload comes back to the same screen, data source, tab and app.
import { useEffect, useState } from 'react';

export type Route =
  | { screen: 'data-sources'; dataSourceId?: string; environmentId?: string }
  | { screen: 'apps'; appId?: string };

export function parseRoute(hash: string): Route {
  const [screen, first, second] = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (screen === 'apps') return { screen: 'apps', appId: first || undefined };
  return { screen: 'data-sources', dataSourceId: first || undefined, environmentId: second || undefined };
}

export function href(route: Route): string {
  const parts: string[] =
    route.screen === 'apps'
      ? ['apps', route.appId ?? '']
      : ['data-sources', route.dataSourceId ?? '', route.environmentId ?? ''];
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return `#/${parts.map(encodeURIComponent).join('/')}`;
}

export function navigate(route: Route): void {
  window.location.hash = href(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
