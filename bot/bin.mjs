#!/usr/bin/env node
// The `magi` command: loads the TypeScript sources through tsx, so a checkout runs without a build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./cli.ts");
const code = await main(process.argv.slice(2));
// matrix-bot-sdk cannot abort its current long-poll, which would keep the process alive for up to 30 s after a clean stop.
process.stdout.write("", () => process.exit(code));
