// bin.mjs runs the last bundle without esbuild when none of the files it was built from changed, and rebuilds when
// one did, even to the same size. A tiny checkout of its own (bin.mjs, a cli.ts, esbuild), so the real cache is left
// alone. Run alone: npx vitest run test/unit/bot/bin-cache.test.ts
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

// Writes a source file dated an hour back: files changed while esbuild reads them are never trusted by their mtime.
function writeSource(root: string, path: string, text: string, ageS = 3600): void {
  writeFileSync(join(root, path), text);
  const at = Date.now() / 1000 - ageS;
  utimesSync(join(root, path), at, at);
}

function makeCheckout(): { root: string; run(): { out: string; err: string; status: number | null }; esbuild(present: boolean): void } {
  const root = mkdtempSync(join(tmpdir(), "magi-bin-"));
  dirs.push(root);
  mkdirSync(join(root, "bot"));
  mkdirSync(join(root, "node_modules"));
  copyFileSync(join(REPO, "bot/bin.mjs"), join(root, "bot/bin.mjs"));
  writeSource(root, "bot/cli.ts", 'import { WORD } from "./word.ts";\nexport async function main(): Promise<number> {\n  console.log(WORD);\n  return 0;\n}\n');
  writeSource(root, "bot/word.ts", 'export const WORD = "one";\n');
  const link = join(root, "node_modules/esbuild");
  const esbuild = (present: boolean) => (present ? symlinkSync(join(REPO, "node_modules/esbuild"), link) : rmSync(link));
  esbuild(true);
  const run = () => {
    const r = spawnSync(process.execPath, [join(root, "bot/bin.mjs")], { encoding: "utf8" });
    return { out: r.stdout.trim(), err: r.stderr, status: r.status };
  };
  return { root, run, esbuild };
}

describe("bin.mjs's bundle cache", () => {
  it("reuses the bundle without esbuild while its sources are unchanged, and rebuilds after a same-size edit", { timeout: 30_000 }, () => {
    const { root, run, esbuild } = makeCheckout();
    expect(run()).toMatchObject({ out: "one", status: 0 });
    expect(existsSync(join(root, "node_modules/.cache/magi/cli-inputs.json"))).toBe(true);
    // Without esbuild a start that tried to bundle would say so and fall back to tsx, which this checkout lacks.
    esbuild(false);
    expect(run()).toEqual({ out: "one", err: "", status: 0 });
    esbuild(true);
    writeSource(root, "bot/word.ts", 'export const WORD = "two";\n', 60);
    expect(run()).toMatchObject({ out: "two", status: 0 });
  });

  it("does not record sources changed just before the build, so a later start checks them again", { timeout: 30_000 }, () => {
    const { root, run } = makeCheckout();
    writeSource(root, "bot/word.ts", 'export const WORD = "new";\n', 0);
    expect(run()).toMatchObject({ out: "new", status: 0 });
    expect(existsSync(join(root, "node_modules/.cache/magi/cli-inputs.json"))).toBe(false);
  });

  it("still runs the bundle when the record cannot be written (a read-only install), without falling back to tsx", { timeout: 30_000 }, () => {
    const { root, run } = makeCheckout();
    // A directory where the record goes: writing it fails as it would on a read-only store, for root too.
    mkdirSync(join(root, "node_modules/.cache/magi/cli-inputs.json"), { recursive: true });
    writeFileSync(join(root, "node_modules/.cache/magi/cli-inputs.json/keep"), "");
    expect(run()).toEqual({ out: "one", err: "", status: 0 });
  });
});
