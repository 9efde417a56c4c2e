#!/usr/bin/env node
// The `magi` command. A checkout runs without a build step: a start bundles the TypeScript sources
// with esbuild (0.3 s, more on a busy machine) and runs the bundle, or runs the last bundle when none
// of the files it was built from changed. Why not tsx's loader, which this used before: a bot
// running through it carries about 60 MiB more for its whole life.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// Inside node_modules, so the bundle's imports of packages resolve exactly as the sources' do.
const cacheDir = join(root, "node_modules", ".cache", "magi");
const DAY_MS = 86_400_000;
// Which bundle the last build made, and the size and mtime of every file it was built from.
const manifestPath = join(cacheDir, "cli-inputs.json");

// Stops with one plain line when a package cannot be found: node_modules is missing or partial
// (a fresh clone, an interrupted install), which would otherwise show as a loader stack trace.
function exitIfPackageMissing(error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !/Cannot find package/.test(error.message)) return;
  process.stderr.write(`magi: its dependencies are not installed; run \`npm ci\` in ${root} first\n`);
  process.exit(1);
}

// Writes aside and renames, so a magi starting at the same moment never reads half a file.
function writeWhole(file, contents) {
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, contents);
  renameSync(partial, file);
}

const statOf = (path) => {
  const s = statSync(join(root, path));
  return [s.size, s.mtimeMs];
};

// The last build's bundle when every file it was built from still has its size and mtime (make's
// rule); a file newly imported shows as a change to the file importing it.
function findUnchangedBundle() {
  try {
    const { bundle, inputs } = JSON.parse(readFileSync(manifestPath, "utf8"));
    const file = join(cacheDir, bundle);
    if (!existsSync(file)) return undefined;
    for (const [path, [size, mtimeMs]] of Object.entries(inputs)) {
      const [nowSize, nowMtimeMs] = statOf(path);
      if (nowSize !== size || nowMtimeMs !== mtimeMs) return undefined;
    }
    return file;
  } catch {
    return undefined;
  }
}

// Records what file was built from, where it can (a read-only install just bundles at each start).
// Not when an input changed while esbuild read it: its mtime could then pass for the contents in the bundle.
function writeManifest(file, inputPaths, startedMs) {
  try {
    const inputs = Object.fromEntries(inputPaths.map((path) => [path, statOf(path)]));
    if (Object.values(inputs).some(([, mtimeMs]) => mtimeMs >= startedMs - 1000)) return;
    writeWhole(manifestPath, JSON.stringify({ bundle: file.slice(cacheDir.length + 1), inputs }));
  } catch {
    // The bundle itself is there; only the next start's shortcut is lost.
  }
}

// Bundles bot/cli.ts into the cache under its content hash and returns the file, or undefined when
// esbuild cannot run or the cache cannot be written (a read-only install).
async function bundleCli() {
  try {
    const startedMs = Date.now();
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
      metafile: true,
      logLevel: "silent",
    });
    await esbuild.stop();
    const code = result.outputFiles[0].contents;
    const file = join(cacheDir, `cli-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.mjs`);
    if (!existsSync(file)) {
      mkdirSync(cacheDir, { recursive: true });
      writeWhole(file, code);
      pruneOldBundles(file);
    }
    writeManifest(file, Object.keys(result.metafile.inputs), startedMs);
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
    if (path !== keep && path !== manifestPath && Date.now() - statSync(path).mtimeMs > DAY_MS) rmSync(path, { force: true });
  }
}

const bundle = findUnchangedBundle() ?? (await bundleCli());
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
