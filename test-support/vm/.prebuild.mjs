// test-support/vm/vm.ts
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync as readFileSync2,
  renameSync,
  rmSync,
  writeFileSync
} from "node:fs";
import { connect } from "node:net";
import { homedir, tmpdir } from "node:os";
import { dirname, join as join2 } from "node:path";

// test-support/vm/accel.ts
import { accessSync, constants, readFileSync } from "node:fs";
function probe() {
  const forced = process.env.STEWARD_VM_ACCEL;
  if (forced === "kvm" || forced === "tcg") return forced;
  try {
    accessSync("/dev/kvm", constants.R_OK | constants.W_OK);
  } catch {
    return "tcg";
  }
  let cpuinfo = "";
  try {
    cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    return "tcg";
  }
  return /^flags\s*:.*\b(vmx|svm)\b/m.test(cpuinfo) ? "kvm" : "tcg";
}
var decided;
function vmAccel() {
  decided ??= probe();
  return decided;
}
function accelArgs() {
  return vmAccel() === "kvm" ? ["-accel", "kvm", "-cpu", "host", "-accel", "tcg"] : ["-accel", "tcg"];
}

// test-support/site.ts
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg2 from "pg";
import { ApiClient } from "@steward/protocol";
import { MIGRATIONS_LOCK_ID } from "@steward/server";

// test-support/db-template.ts
import pg from "pg";

// test-support/site.ts
var REPO = resolve(fileURLToPath(new URL("..", import.meta.url)));
var STEWARD = join(REPO, "packages/cli/bin/steward.js");
var STEWARD_AGENT = join(REPO, "packages/agent/bin/steward-agent.js");
var POSTGRES_URL = process.env.STEWARD_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
async function waitFor(what, probe2, timeoutMs = 6e4, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (; ; ) {
    try {
      const v = await probe2();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// test-support/vm/vm.ts
var HERE = import.meta.dirname;
var RECIPE = [
  join2(HERE, "build-image.sh"),
  join2(HERE, "guest/vm-command.sh"),
  join2(HERE, "guest/vm-command.service")
];
function vmUnavailableReason() {
  const tools = ["qemu-system-x86_64", "qemu-img", "socat", "debootstrap", "mke2fs", "setpriv"];
  const missing = tools.filter(
    (tool) => spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status !== 0
  );
  if (missing.length) return `missing ${missing.join(", ")} (.ci/run installs them)`;
  if (process.getuid?.() !== 0) return "building the VM image needs root (debootstrap)";
  return void 0;
}
function vmCacheDir() {
  return process.env["STEWARD_VM_CACHE"] ?? join2(homedir(), ".cache/steward/vm");
}
function recipeKey() {
  const h = createHash("sha256");
  for (const f of RECIPE) h.update(readFileSync2(f));
  h.update(process.versions.node);
  h.update(
    readFileSync2(execFileSync("sh", ["-c", "command -v node"], { encoding: "utf8" }).trim())
  );
  return h.digest("hex").slice(0, 16);
}
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
async function cachedBuild(opts) {
  const cache = vmCacheDir();
  mkdirSync(cache, { recursive: true });
  const { name, key } = opts;
  const dir = join2(cache, `${name}-${key}`);
  const lock = join2(cache, `${name}-${key}.lock`);
  for (; ; ) {
    if (existsSync(join2(dir, opts.readyFile))) return { dir, built: false, buildSeconds: 0 };
    let fd;
    try {
      fd = openSync(lock, "wx");
    } catch {
      const holder = Number(readFileSync2(lock, "utf8").trim());
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
        opts.log(`waiting for the ${name} build of process ${String(holder)}`);
        await waitFor(
          `the ${name} build another process runs`,
          () => existsSync(join2(dir, opts.readyFile)) || !existsSync(lock),
          18e5,
          2e3
        );
      } else rmSync(lock, { force: true });
      continue;
    }
    writeFileSync(fd, `${String(process.pid)}
`);
    const started = Date.now();
    const partial = join2(cache, `building-${key}-${randomBytes(4).toString("hex")}`);
    try {
      opts.log(`building ${name} into ${dir} (first run only; debootstrap takes minutes)`);
      await runLogged("bash", [opts.script, partial], join2(cache, `build-${key}.log`), opts.env);
      renameSync(partial, dir);
    } finally {
      rmSync(partial, { recursive: true, force: true });
      rmSync(lock, { force: true });
    }
    return { dir, built: true, buildSeconds: (Date.now() - started) / 1e3 };
  }
}
async function baseImage(log = () => {
}) {
  const build = await cachedBuild({
    name: "bookworm",
    key: recipeKey(),
    readyFile: "root.ext4",
    script: join2(HERE, "build-image.sh"),
    log
  });
  return {
    ...build,
    kernel: join2(build.dir, "vmlinuz"),
    initrd: join2(build.dir, "initrd.img"),
    root: join2(build.dir, "root.ext4")
  };
}
function runLogged(cmd, args, logFile, env) {
  const out = openSync(logFile, "w");
  const child = spawn(cmd, args, { stdio: ["ignore", out, out], env: { ...process.env, ...env } });
  return new Promise((resolve2, reject) => {
    child.once("error", reject);
    child.once(
      "exit",
      (code) => code === 0 ? resolve2() : reject(
        new Error(
          `${cmd} ${args.join(" ")} exited ${String(code)}:
${readFileSync2(logFile, "utf8").slice(-3e3)}`
        )
      )
    );
  });
}
function injectDisk(dir, files) {
  const tree = join2(dir, "inject");
  mkdirSync(tree);
  for (const [path, content] of Object.entries(files)) {
    const target = join2(tree, path);
    if (!target.startsWith(`${tree}/`)) throw new Error(`injected file outside the disk: ${path}`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  const bytes = Object.values(files).reduce((n, c) => n + Buffer.byteLength(c), 0);
  const sizeMb = Math.max(16, Math.ceil(bytes * 1.3 / 1048576) + 8);
  const disk = join2(dir, "inject.ext4");
  execFileSync("mke2fs", [
    "-q",
    "-t",
    "ext4",
    "-L",
    "inject",
    "-d",
    tree,
    disk,
    `${String(sizeMb)}M`
  ]);
  return disk;
}
async function startVm(opts) {
  const log = opts.log ?? (() => {
  });
  const dir = mkdtempSync(join2(tmpdir(), "steward-vm-"));
  let qemu;
  let channel;
  try {
    const overlay = join2(dir, "overlay.qcow2");
    execFileSync("qemu-img", [
      "create",
      "-q",
      "-f",
      "qcow2",
      "-F",
      "raw",
      "-b",
      opts.image.root,
      overlay
    ]);
    const inject = injectDisk(dir, opts.files ?? {});
    const consoleLog = join2(dir, "console.log");
    const socket = join2(dir, "command.sock");
    const accel = vmAccel();
    log(
      `booting a VM under ${accel === "kvm" ? "KVM" : "TCG (software emulation: KVM cannot run here, see accel.ts)"}`
    );
    const forwards = (opts.forwards ?? []).map(
      (f) => `,guestfwd=tcp:${f.guestAddress}:${String(f.guestPort)}-cmd:socat - TCP:127.0.0.1:${String(f.hostPort)}`
    );
    const args = [
      "-nodefaults",
      "-no-user-config",
      "-display",
      "none",
      "-machine",
      "q35",
      ...accelArgs(),
      "-m",
      String(opts.memoryMb ?? 1024),
      "-smp",
      String(opts.cpus ?? 2),
      "-kernel",
      opts.image.kernel,
      "-initrd",
      opts.image.initrd,
      "-append",
      // no_timer_check: under TCG on a loaded host the kernel's early check of the timer
      // interrupt can miss its window and panic ("IO-APIC + timer doesn't work!"), seen here.
      "root=/dev/vda rw console=ttyS0,115200 panic=-1 systemd.show_status=1 net.ifnames=0 no_timer_check",
      "-drive",
      `file=${overlay},if=virtio,format=qcow2,discard=unmap`,
      "-drive",
      `file=${inject},if=virtio,format=raw,readonly=on`,
      "-netdev",
      `user,id=n0,restrict=on${forwards.join("")}`,
      "-device",
      "virtio-net-pci,netdev=n0",
      "-device",
      "virtio-rng-pci",
      "-serial",
      `file:${consoleLog}`,
      "-chardev",
      `socket,id=cmd,path=${socket},server=on,wait=off`,
      "-serial",
      "chardev:cmd",
      "-no-reboot"
    ];
    const stderr = openSync(join2(dir, "qemu.log"), "w");
    qemu = spawn("setpriv", ["--pdeathsig", "KILL", "qemu-system-x86_64", ...args], {
      stdio: ["ignore", stderr, stderr]
    });
    const proc = qemu;
    const killOnExit = () => proc.kill("SIGKILL");
    process.once("exit", killOnExit);
    let exited;
    proc.once("exit", (code, signal) => {
      process.off("exit", killOnExit);
      const qemuLog = join2(dir, "qemu.log");
      const tail = existsSync(qemuLog) ? readFileSync2(qemuLog, "utf8").slice(-2e3) : "";
      exited = `QEMU exited (${String(code ?? signal)}): ${tail}`;
    });
    const notExited = () => {
      if (exited) throw new Error(exited);
    };
    const gone = new Promise((_, reject) => {
      proc.once("exit", () => reject(new Error(exited ?? "QEMU exited")));
    });
    gone.catch(() => void 0);
    const unlessExited = (p) => Promise.race([p, gone]);
    const chan = await waitFor(
      "the command channel socket",
      () => {
        notExited();
        if (!existsSync(socket)) return void 0;
        return new Promise((resolve2) => {
          const c = connect(socket);
          c.once("connect", () => resolve2(c));
          c.once("error", () => {
            c.destroy();
            resolve2(void 0);
          });
        });
      },
      3e4,
      50
    );
    channel = chan;
    let buffer = "";
    const answers = /* @__PURE__ */ new Map();
    chan.setEncoding("utf8");
    chan.on("data", (chunk) => {
      buffer += chunk;
      for (let m = /@@vm (\S+) (\d+) ([A-Za-z0-9+/=]*)@@/.exec(buffer); m; ) {
        answers.set(m[1] ?? "", {
          code: Number(m[2]),
          output: Buffer.from(m[3] ?? "", "base64").toString("utf8")
        });
        buffer = buffer.slice(m.index + m[0].length);
        m = /@@vm (\S+) (\d+) ([A-Za-z0-9+/=]*)@@/.exec(buffer);
      }
      if (buffer.length > 1e6) buffer = buffer.slice(-1e5);
    });
    chan.on("error", () => {
    });
    let queue = Promise.resolve();
    const send = (command, timeoutMs) => {
      const id = randomBytes(6).toString("hex");
      chan.write(`${id} ${Buffer.from(command).toString("base64")}
`);
      return unlessExited(
        waitFor(
          `the guest to answer "${command}"`,
          () => {
            notExited();
            return answers.get(id);
          },
          timeoutMs,
          100
        )
      );
    };
    const run = (command, timeoutMs = 12e4) => {
      const next = queue.then(() => send(command, timeoutMs));
      queue = next.catch(() => void 0);
      return next;
    };
    const vm = {
      dir,
      accel,
      consoleLog,
      waitForConsole: (pattern, timeoutMs) => waitFor(
        `console line ${String(pattern)}`,
        () => {
          const text = existsSync(consoleLog) ? readFileSync2(consoleLog, "utf8") : "";
          const line = text.split(/\r?\n/).find((l) => pattern.test(l));
          if (line !== void 0) return line;
          notExited();
          return void 0;
        },
        timeoutMs,
        250
      ),
      async ready(timeoutMs) {
        await unlessExited(
          waitFor(
            "the guest command channel",
            async () => {
              notExited();
              try {
                return (await send("true", 5e3)).code === 0;
              } catch {
                return false;
              }
            },
            timeoutMs,
            0
          )
        );
        const state = await send("systemctl is-system-running --wait", timeoutMs);
        if (!/running|degraded/.test(state.output))
          throw new Error(`the guest did not finish booting: ${state.output}`);
        const mounted = await send("mountpoint -q /mnt/inject || mount /mnt/inject", 6e4);
        if (mounted.code !== 0) throw new Error(`cannot mount /mnt/inject: ${mounted.output}`);
        if (state.output.includes("degraded"))
          log(`guest degraded: ${(await send("systemctl --failed --no-legend", 3e4)).output}`);
      },
      run,
      async sh(command, timeoutMs) {
        const r = await run(command, timeoutMs);
        if (r.code !== 0)
          throw new Error(`guest: ${command} exited ${String(r.code)}: ${r.output.slice(-2e3)}`);
        return r.output;
      },
      async shutdown(timeoutMs = 6e4) {
        if (exited) return;
        chan.write(
          `${randomBytes(6).toString("hex")} ${Buffer.from("systemctl poweroff").toString("base64")}
`
        );
        try {
          await waitFor("the guest to power off", () => exited !== void 0, timeoutMs, 250);
        } catch {
          log("the guest did not power off in time; killing QEMU");
        }
        proc.kill("SIGKILL");
      },
      async dispose() {
        chan.destroy();
        if (!exited) {
          proc.kill("SIGKILL");
          await waitFor("QEMU to exit", () => exited !== void 0, 1e4, 50);
        }
        rmSync(dir, { recursive: true, force: true });
      }
    };
    return vm;
  } catch (err) {
    channel?.destroy();
    qemu?.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
export {
  baseImage,
  cachedBuild,
  startVm,
  vmCacheDir,
  vmUnavailableReason
};
