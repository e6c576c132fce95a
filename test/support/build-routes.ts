import { createRequire } from "node:module";
import type { BuildRoute } from "~/observability/route-templates.server";

/**
 * The route table a Remix build of app/routes has (build.routes), computed by Remix's own
 * flat-routes convention, so tests need no build and cannot drift from the file names.
 */
const require = createRequire(import.meta.url);
const { flatRoutes } = require("@remix-run/dev/dist/config/flat-routes.js") as {
  flatRoutes: (appDirectory: string) => Record<string, BuildRoute>;
};

export const BUILD_ROUTES: Record<string, BuildRoute> = { root: { id: "root", path: "" }, ...flatRoutes("app") };
