// envgate's GraphiQL start-up. It reads its settings from the page's JSON block
// instead of being an inline script, so the page's Content-Security-Policy can forbid
// inline scripts (and every origin but envgate's own).
(function () {
  'use strict';
  var config = JSON.parse(
    document.getElementById('envgate-playground-config').textContent
  );

  // Absolute URLs on the page's own host; ws(s):// for the subscription endpoint.
  function sameHost(path, websocket) {
    var url = new URL(path, window.location.href);
    if (websocket) {
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    }
    return url.toString();
  }

  // The headers (the demo token, when there is one) go with every HTTP request and,
  // as connection_init parameters, with the WebSocket GraphiQL opens for
  // subscriptions (graphql-ws, bundled in graphiql.min.js). Headers typed into
  // GraphiQL's header editor take precedence over both.
  var fetcher = GraphiQL.createFetcher({
    url: sameHost(config.endpoint, false),
    subscriptionUrl: sameHost(config.subscriptionEndpoint, true),
    headers: config.headers,
    wsConnectionParams: config.headers,
  });

  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
    })
  );
})();
