/** Runs a simulator's main.ts as its own process (as `npm run sandbox:…` does) and waits for "listening on <url>". */
import { spawn } from "node:child_process";

export interface Standalone {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startStandalone(mainPath: string, env: Record<string, string> = {}): Promise<Standalone> {
  const child = spawn(process.execPath, ["--import", "tsx", mainPath], {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`simulator did not start: ${output}`)), 15_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    child.once("exit", (code) => reject(new Error(`simulator exited with ${code}: ${output}`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
