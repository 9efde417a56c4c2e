// Starts one real Synapse for the whole e2e run, with an appservice registration that plays mautrix-slack.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { writeAppserviceRegistration } from "../../../bot/synapse/appservice.ts";
import { startSynapse } from "../../../bot/synapse/start-synapse.ts";

// What every e2e test file gets through inject("synapse").
export interface SharedSynapse {
  baseUrl: string;
  serverName: string;
  sharedSecret: string;
  slackAsToken: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    synapse: SharedSynapse;
  }
}

// Vitest global setup: start Synapse before the e2e files, stop it after.
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), "magi-e2e-synapse-"));
  const registration = join(dir, "slack-registration.yaml");
  // Exactly mautrix-slack's ghost namespace: @slack_<team>-<user>:server.
  const { asToken } = writeAppserviceRegistration(registration, { id: "slack", senderLocalpart: "slackbot", userRegex: "@slack_.*:localhost" });
  const hs = await startSynapse({ dataDir: join(dir, "synapse"), appserviceFiles: [registration] });
  project.provide("synapse", { baseUrl: hs.baseUrl, serverName: hs.serverName, sharedSecret: hs.sharedSecret, slackAsToken: asToken });
  return async () => {
    await hs.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
