// The console's place lives in the URL's hash, so a reload comes back to the same
// screen and selection: `#/data-sources/<id>/<environment id>`, `#/apps/<id>`,
// `#/promote/<app id>/<version id>`, `#/approvals`, `#/releases/<app id>`,
// `#/diff/<from environment id>/<to environment id>`.
import { useEffect, useState } from 'react';

export type Route =
  | { screen: 'data-sources'; dataSourceId?: string; environmentId?: string }
  | { screen: 'apps'; appId?: string }
  | { screen: 'promote'; appId?: string; versionId?: string }
  | { screen: 'approvals' }
  | { screen: 'releases'; appId?: string }
  | { screen: 'diff'; fromId?: string; toId?: string };

export function parseRoute(hash: string): Route {
  const [screen, first, second] = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const a = first || undefined;
  const b = second || undefined;
  switch (screen) {
    case 'apps':
      return { screen, appId: a };
    case 'promote':
      return { screen, appId: a, versionId: b };
    case 'approvals':
      return { screen };
    case 'releases':
      return { screen, appId: a };
    case 'diff':
      return { screen, fromId: a, toId: b };
    default:
      return { screen: 'data-sources', dataSourceId: a, environmentId: b };
  }
}

function parts(route: Route): (string | undefined)[] {
  switch (route.screen) {
    case 'data-sources':
      return [route.screen, route.dataSourceId, route.environmentId];
    case 'apps':
    case 'releases':
      return [route.screen, route.appId];
    case 'promote':
      return [route.screen, route.appId, route.versionId];
    case 'approvals':
      return [route.screen];
    case 'diff':
      return [route.screen, route.fromId, route.toId];
  }
}

export function href(route: Route): string {
  const all = parts(route).map((part) => part ?? '');
  while (all.length > 1 && all[all.length - 1] === '') all.pop();
  return `#/${all.map(encodeURIComponent).join('/')}`;
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
