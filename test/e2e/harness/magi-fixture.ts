// One isolated magi for a test file: its own bot user, admin, room, config and SQLite file on the shared Synapse.
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { stringify } from "yaml";
import { registerGhost } from "../../../bot/synapse/appservice.ts";
import { registerUser } from "../../../bot/synapse/register-user.ts";
import { startBotProcess, type BotProcess } from "./bot-process.ts";
import { TestUser } from "./matrix-user.ts";
import type { SharedSynapse } from "./global-setup.ts";

// A magi under test and the people around it.
export interface MagiFixture {
  dir: string;
  configPath: string;
  dbPath: string;
  botUserId: string;
  botToken: string;
  admin: TestUser;
  roomId: string;
  // Config sections merged over the defaults when the bot starts.
  config: Record<string, any>;
  access: { users: Record<string, number | string>; patterns: { glob: string; level: number | string }[] };
  newUser(name: string): Promise<TestUser>;
  ghost(localpart: string): Promise<TestUser>;
  start(env?: Record<string, string>): Promise<BotProcess>;
}

// Registers a bot user and an admin who creates the room and invites the bot (which accepts on its first sync).
export async function createMagiFixture(name: string, hs: SharedSynapse = inject("synapse")): Promise<MagiFixture> {
  const tag = `${name}-${randomBytes(3).toString("hex")}`;
  const dir = mkdtempSync(join(tmpdir(), `magi-${name}-`));
  const password = randomBytes(8).toString("hex");
  // Two independent registrations: in parallel, as Synapse serves them concurrently.
  const [bot, adminSession] = await Promise.all([
    registerUser(hs, { username: `magi-${tag}`, password }),
    registerUser(hs, { username: `admin-${tag}`, password }),
  ]);
  const admin = new TestUser(hs.baseUrl, adminSession.userId, adminSession.accessToken);
  const roomId = await admin.createRoom([bot.userId]);
  const fixture: MagiFixture = {
    dir,
    configPath: join(dir, "config.yaml"),
    dbPath: join(dir, "magi.sqlite"),
    botUserId: bot.userId,
    botToken: bot.accessToken,
    admin,
    roomId,
    config: {},
    access: { users: { [admin.userId]: "admin" }, patterns: [] },
    newUser: async (who) => {
      const s = await registerUser(hs, { username: `${who}-${tag}`, password });
      const user = new TestUser(hs.baseUrl, s.userId, s.accessToken);
      await admin.invite(roomId, user.userId);
      await user.join(roomId);
      return user;
    },
    ghost: async (localpart) => {
      const userId = await registerGhost(hs.baseUrl, hs.slackAsToken, localpart);
      const ghost = new TestUser(hs.baseUrl, userId, hs.slackAsToken, userId);
      await admin.invite(roomId, userId);
      await ghost.join(roomId);
      return ghost;
    },
    start: async (env) => {
      writeFileSync(join(dir, "token"), bot.accessToken + "\n", { mode: 0o600 });
      const config = {
        matrix: { homeserver_url: hs.baseUrl, user_id: bot.userId, access_token_file: "token" },
        storage: { path: "magi.sqlite" },
        access: fixture.access,
        rooms: { [roomId]: {} },
        ...fixture.config,
      };
      writeFileSync(fixture.configPath, stringify(config));
      return startBotProcess(fixture.configPath, env);
    },
  };
  return fixture;
}
