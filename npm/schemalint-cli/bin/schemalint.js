#!/usr/bin/env node
// The `schemalint` command of the npm package: runs the prebuilt binary from the platform
// package npm installed beside this one (an optionalDependency whose `os`/`cpu` match this
// machine, as esbuild and biome do). Nothing is downloaded at install or run time.
"use strict";

const { spawnSync } = require("child_process");

const PACKAGES = {
  "linux-x64": "schemalint-cli-linux-x64",
  "linux-arm64": "schemalint-cli-linux-arm64",
  "darwin-x64": "schemalint-cli-darwin-x64",
  "darwin-arm64": "schemalint-cli-darwin-arm64",
  "win32-x64": "schemalint-cli-win32-x64",
};

function fail(message) {
  process.stderr.write(`schemalint: ${message}\n`);
  process.exit(2);
}

function binaryPath() {
  if (process.env.SCHEMALINT_BINARY) {
    return process.env.SCHEMALINT_BINARY;
  }
  const platform = `${process.platform}-${process.arch}`;
  const pkg = PACKAGES[platform];
  if (!pkg) {
    fail(
      `no prebuilt binary for ${platform}; build one with ` +
        "`cargo install --locked --git <the schemalint repository>` and set SCHEMALINT_BINARY to it"
    );
  }
  const exe = process.platform === "win32" ? "schemalint.exe" : "schemalint";
  try {
    return require.resolve(`${pkg}/bin/${exe}`);
  } catch (e) {
    fail(
      `the platform package ${pkg} is not installed (was npm run with --omit=optional or ` +
        "--no-optional, or node_modules copied from another machine?); reinstall schemalint-cli"
    );
  }
}

const result = spawnSync(binaryPath(), process.argv.slice(2), { stdio: "inherit" });
if (result.error) {
  fail(`could not run the binary: ${result.error.message}`);
}
if (result.signal) {
  process.kill(process.pid, result.signal);
}
process.exit(result.status === null ? 2 : result.status);
