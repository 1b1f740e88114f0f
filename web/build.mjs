// Builds the widget site into a folder: our page plus amazon-connect-chatjs vendored from
// node_modules (the version pinned in package.json and package-lock.json), never a CDN, so the
// page loads exactly the code that was reviewed and the site needs no third-party host.
//
//   node web/build.mjs <outdir>
//
// Installs node_modules with `npm ci` first when they are missing or older than the lock file.
// Used by CDK (local bundling of the site asset) and by `ccaas chat --web`.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(process.argv[2] ?? join(here, "dist"));
const lock = join(here, "package-lock.json");
const chatjsDir = join(here, "node_modules", "amazon-connect-chatjs");
const chatjsPackage = join(chatjsDir, "package.json");

function installed() {
  if (!existsSync(chatjsPackage)) return false;
  const wanted = JSON.parse(readFileSync(join(here, "package.json"), "utf8")).dependencies[
    "amazon-connect-chatjs"
  ];
  const have = JSON.parse(readFileSync(chatjsPackage, "utf8")).version;
  return have === wanted && statSync(chatjsPackage).mtimeMs >= statSync(lock).mtimeMs - 1000;
}

if (!installed()) {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  execFileSync(npm, ["ci", "--no-audit", "--no-fund", "--omit=dev", "--loglevel=error"], {
    cwd: here,
    stdio: ["ignore", "inherit", "inherit"],
  });
}

mkdirSync(join(outdir, "vendor"), { recursive: true });
cpSync(join(here, "src"), outdir, { recursive: true });
cpSync(join(chatjsDir, "dist", "amazon-connect-chat.js"), join(outdir, "vendor", "amazon-connect-chat.js"));
cpSync(join(chatjsDir, "LICENSE"), join(outdir, "vendor", "amazon-connect-chat.LICENSE.txt"));
console.log(`widget built in ${outdir}`);
