/**
 * Runs the Accelebit sandbox on its own: `tsx test/simulators/accelebit/main.ts`
 * (wired as `npm run sandbox:accelebit`). Environment:
 *   PORT (default 4010; 0 = any free port), HOST (default 127.0.0.1),
 *   ACCELEBIT_SANDBOX_PUBLIC_URL   base of the 3-D Secure URLs handed to browsers,
 *   ACCELEBIT_SANDBOX_WEBHOOK_URL  default webhook target of every account,
 *   ACCELEBIT_SANDBOX_WEBHOOK_SECRET  its signing secret.
 * Faults and webhooks can be changed at run time through /__sandbox/ (see README.md).
 */
import { startAccelebitSandbox } from "./server";

const port = Number(process.env.PORT ?? 4010);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got "${process.env.PORT}"`);
  process.exit(1);
}

const sandbox = await startAccelebitSandbox({
  port,
  host: process.env.HOST ?? "127.0.0.1",
  publicUrl: process.env.ACCELEBIT_SANDBOX_PUBLIC_URL || undefined,
  webhookUrl: process.env.ACCELEBIT_SANDBOX_WEBHOOK_URL || undefined,
  webhookSecret: process.env.ACCELEBIT_SANDBOX_WEBHOOK_SECRET || undefined,
  log: (line) => console.log(line),
});
console.log(`Accelebit sandbox listening on ${sandbox.url}`);

const stop = () => {
  void sandbox.close().then(() => process.exit(0));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
