# magi as a Nix package: the npm dependencies from package-lock.json (importNpmLock: no hash to keep
# in step), better-sqlite3 compiled in the build, and the start-up bundle built at install time so
# the read-only store path never has to fall back to tsx (see bot/bin.mjs).
{ lib, buildNpmPackage, importNpmLock, nodejs, python3, src }:

buildNpmPackage {
  pname = "magi";
  version = (lib.importJSON (src + "/package.json")).version;
  inherit src nodejs;

  npmDeps = importNpmLock { npmRoot = src; };
  npmConfigHook = importNpmLock.npmConfigHook;
  # Dependencies' install scripts stay off: better-sqlite3's would try to download a prebuilt addon.
  npmRebuildFlags = [ "--ignore-scripts" ];

  nativeBuildInputs = [ python3 ];
  # install-native.mjs would otherwise also start the sandbox's Synapse install.
  env.MAGI_SKIP_SYNAPSE_PREFETCH = "1";

  # The same step `npm ci` runs as magi's postinstall: compile better-sqlite3 against nodejs' headers.
  buildPhase = ''
    runHook preBuild
    node bot/install-native.mjs
    runHook postBuild
  '';

  postInstall = ''
    app=$out/lib/node_modules/magi
    node $app/bot/bin.mjs --help 2> usage
    ls $app/node_modules/.cache/magi/cli-*.mjs
    # From elsewhere and with the cache read-only, as the service runs it: the same bundle, no tsx.
    chmod -R a-w $app/node_modules/.cache
    (cd / && node $app/bot/bin.mjs --help) 2> usage-again
    cmp usage usage-again
  '';

  meta = {
    description = "Matrix chat-ops bot for a small NixOS fleet";
    license = lib.licenses.mit;
    mainProgram = "magi";
    platforms = lib.platforms.linux;
  };
}
