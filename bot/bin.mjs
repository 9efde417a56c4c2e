#!/usr/bin/env node
// The `magi` command. A checkout runs without a build step: each start bundles the TypeScript
// sources with esbuild (about 50 ms) and runs the bundle. Why not tsx's loader, which this used
// before: a bot running through it carries about 60 MiB more for its whole life.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// Inside node_modules, so the bundle's imports of packages resolve exactly as the sources' do.
const cacheDir = join(root, "node_modules", ".cache", "magi");
const DAY_MS = 86_400_000;

// Stops with one plain line when a package cannot be found: node_modules is missing or partial
// (a fresh clone, an interrupted install), which would otherwise show as a loader stack trace.
function exitIfPackageMissing(error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !/Cannot find package/.test(error.message)) return;
  process.stderr.write(`magi: its dependencies are not installed; run \`npm ci\` in ${root} first\n`);
  process.exit(1);
}

// Bundles bot/cli.ts into the cache under its content hash and returns the file, or undefined when
// esbuild cannot run or the cache cannot be written (a read-only install).
async function bundleCli() {
  try {
    const esbuild = await import("esbuild");
    const result = await esbuild.build({
      entryPoints: [join(root, "bot", "cli.ts")],
      // Source map paths relative to the checkout, not the caller's directory: the same sources give
      // the same bundle from anywhere, so one built into a read-only install (the Nix package) is found.
      absWorkingDir: root,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      sourcemap: "inline",
      sourcesContent: false,
      write: false,
      logLevel: "silent",
    });
    await esbuild.stop();
    const code = result.outputFiles[0].contents;
    const file = join(cacheDir, `cli-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.mjs`);
    if (!existsSync(file)) {
      mkdirSync(cacheDir, { recursive: true });
      // Written aside and renamed, so a magi starting at the same moment never reads half a file.
      const partial = `${file}.${process.pid}.partial`;
      writeFileSync(partial, code);
      renameSync(partial, file);
      pruneOldBundles(file);
    }
    return file;
  } catch (error) {
    exitIfPackageMissing(error);
    process.stderr.write(`magi: cannot bundle the sources into node_modules/.cache (${error?.message?.split("\n")[0] ?? error}); running them through tsx instead\n`);
    return undefined;
  }
}

// Drops bundles of earlier sources, leaving any a magi might be loading right now (younger than a day).
function pruneOldBundles(keep) {
  for (const name of readdirSync(cacheDir)) {
    const path = join(cacheDir, name);
    if (path !== keep && Date.now() - statSync(path).mtimeMs > DAY_MS) rmSync(path, { force: true });
  }
}

const bundle = await bundleCli();
let cli;
try {
  if (bundle) {
    // Stack traces in logs then name the TypeScript files and lines.
    process.setSourceMapsEnabled(true);
    cli = await import(pathToFileURL(bundle).href);
  } else {
    const { register } = await import("tsx/esm/api");
    register();
    cli = await import("./cli.ts");
  }
} catch (error) {
  exitIfPackageMissing(error);
  throw error;
}
const code = await cli.main(process.argv.slice(2));
// matrix-bot-sdk cannot abort its current long-poll, which would keep the process alive for up to 30 s after a clean stop.
process.stdout.write("", () => process.exit(code));
