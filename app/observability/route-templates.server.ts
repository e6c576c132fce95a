import { matchRoutes } from "@remix-run/react";

/**
 * Request paths become the template of the Remix route that serves them (`/pay/:token`,
 * `/app/transactions/export.csv`), read from the build's own route table, so a label can only
 * be one of the app's routes: a visitor who requests a million different paths adds one series
 * (`UNMATCHED_ROUTE`), not a million, and no token or id reaches a metric or a log line.
 */
export const UNMATCHED_ROUTE = "unmatched";

/** What the Remix build says of each route (build.routes). */
export interface BuildRoute {
  id: string;
  parentId?: string;
  path?: string;
  index?: boolean;
  caseSensitive?: boolean;
}

type TemplateRoute = Parameters<typeof matchRoutes>[0][number] & { template: string };

export type RouteTemplater = (pathname: string) => string;

export function createRouteTemplater(routes: Record<string, BuildRoute>): RouteTemplater {
  const all = Object.values(routes);
  const childrenOf = (parentId: string | undefined, parentTemplate: string): TemplateRoute[] =>
    all
      .filter((route) => route.parentId === parentId)
      .map((route) => {
        const template = joinTemplate(parentTemplate, route.path);
        const children = childrenOf(route.id, template);
        // Remix index routes may carry a path of their own (app.transactions._index → "transactions").
        return route.index
          ? { index: true, path: route.path, caseSensitive: route.caseSensitive, template }
          : { path: route.path ?? "", caseSensitive: route.caseSensitive, template, ...(children.length ? { children } : {}) };
      });
  const tree = childrenOf(undefined, "");
  return (pathname) => {
    let matches: ReturnType<typeof matchRoutes> = null;
    try {
      matches = matchRoutes(tree, pathname);
    } catch {
      // A path the router cannot decode (e.g. a lone "%") serves nothing either.
    }
    const leaf = matches?.[matches.length - 1]?.route as TemplateRoute | undefined;
    // The root route matches only through a child: on its own it is "no route".
    return leaf && matches!.length > 1 ? leaf.template : UNMATCHED_ROUTE;
  };
}

function joinTemplate(parent: string, path: string | undefined): string {
  const joined = [parent, path ?? ""].join("/").replace(/\/+/g, "/");
  return joined.length > 1 ? joined.replace(/\/$/, "") : "/";
}

/** The HTTP methods a label may carry; anything else a client invents is one label. */
const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

export function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : "OTHER";
}

/** Status codes as labels: three digits, or one label for anything a broken response sets. */
export function statusLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : "invalid";
}
