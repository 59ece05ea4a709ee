// Browser test of the web UI and the HTML report, in headless Chromium driven by Playwright.
// Usage: node ui_test.mjs ARRLOAD_BINARY ARTIFACT_DIR   (run.sh installs what it needs first)
// Starts the embedded target and `arrload run` with the web UI on free loopback ports, starts a
// test through the page's form, waits for the stats table and the charts (the target's memory and
// the generator's CPU included) to fill in, reloads the page (the history is the server's), stops
// the test, saves a screenshot, downloads the HTML and JSON reports through the page, then opens
// the downloaded HTML report with every request the page makes recorded (there must be none) and
// checks its numbers against the run's CSV.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [binary, artifacts] = process.argv.slice(2);
if (!binary || !artifacts) {
  console.error("usage: node ui_test.mjs ARRLOAD_BINARY ARTIFACT_DIR");
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "arrload-browser-"));
const children = [];
let failures = 0;

function check(ok, what) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures++;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function start(args, name) {
  const log = [];
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d) => log.push(d.toString()));
  child.stderr.on("data", (d) => log.push(d.toString()));
  child.log = log;
  child.name = name;
  children.push(child);
  return child;
}

async function waitForHttp(url, limitMs) {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${limitMs} ms`);
}

function stopAll() {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
}
// Every wait is bounded, and the whole test too.
const watchdog = setTimeout(() => {
  console.error("FAIL the browser test did not finish within 150 s");
  stopAll();
  process.exit(1);
}, 150_000);

let browser;
try {
  const targetPort = await freePort();
  const uiPort = await freePort();
  const target = start(["target", "--port", String(targetPort), "--latency-scale", "0"], "target");
  await waitForHttp(`http://127.0.0.1:${targetPort}/health`, 15_000);
  const scenario = join(work, "ui.yaml");
  writeFileSync(
    scenario,
    [
      "users:",
      "  - name: Reader",
      "    wait: between(0.05, 0.1)",
      "    tasks:",
      "      - {category: health, request: GET /health}",
      "      - {category: read, request: GET /api/v1/shows/}",
      "      - request: {method: GET, path: /__target/status/500, name: 'broken <b>&</b>'}",
      "",
    ].join("\n"),
  );
  const ui = start(
    ["run", "-f", scenario, "--host", `http://127.0.0.1:${targetPort}`, "--web-port", String(uiPort),
     "--csv", join(work, "ui"), "--html", join(work, "report.html"), "--budget", "read:p95<1s",
     "--target-pid", String(target.pid)],
    "ui",
  );
  const base = `http://127.0.0.1:${uiPort}/`;
  await waitForHttp(base + "stats/requests", 15_000);

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const outside = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(base)) outside.push(r.url());
  });
  await page.goto(base);
  await page.waitForSelector("#state:text('ready')", { timeout: 10_000 });

  // Start through the form.
  await page.fill("#user_count", "4");
  await page.fill("#spawn_rate", "20");
  await page.click("#start");
  await page.waitForFunction(
    () => {
      const rows = [...document.querySelectorAll("#stats tbody tr")];
      const total = rows.find((r) => r.cells[1].textContent === "Aggregated");
      // Three endpoints and the total: each worker thread hands over its statistics once a second.
      return rows.length >= 4 && total && Number(total.cells[2].textContent) > 20;
    },
    null,
    { timeout: 30_000 },
  );
  check(true, "the stats table fills in");
  const names = await page.$$eval("#stats tbody tr", (rows) => rows.map((r) => r.cells[1].textContent));
  check(names.includes("/health") && names.includes("/api/v1/shows/"), `endpoint rows: ${names.join(", ")}`);
  check(names.includes("broken <b>&</b>"), "a name with markup is shown as text");
  check((await page.textContent("#users")) === "4", "the user count reaches 4");
  // The same form changes the running test's user count.
  check((await page.textContent("#start")) === "Update users", "while running, the form updates the users");
  await page.fill("#user_count", "6");
  await page.click("#start");
  await page.waitForSelector("#users:text-is('6')", { timeout: 15_000 });
  check(true, "the user count changes to 6 through the form");

  await page.click("nav button[data-tab='charts']");
  await page.waitForFunction(
    () => Number(document.querySelector("#chart-rps polyline")?.getAttribute("data-points")) >= 3,
    null,
    { timeout: 20_000 },
  );
  const axes = await page.textContent("#chart-rps");
  check(!axes.includes("Invalid"), `the time axis shows times (${axes.slice(-40)})`);
  const lines = await page.$$eval("svg polyline", (ps) => ps.length);
  check(lines >= 6, `the charts draw their lines (${lines} polylines)`);
  await page.waitForFunction(
    () => document.querySelector("#chart-memory polyline") && document.querySelector("#chart-cpu polyline"),
    null,
    { timeout: 20_000 },
  );
  check(true, "the target-memory and generator-CPU charts draw their lines");
  check((await page.textContent("#memory-source")).includes(`pid ${target.pid}`), "the memory chart names the target's pid");
  // The history is kept by arrload: a reloaded page draws the run so far at once.
  await page.reload();
  await page.click("nav button[data-tab='charts']");
  await page.waitForFunction(
    () => Number(document.querySelector("#chart-rps polyline")?.getAttribute("data-points")) >= 3,
    null,
    { timeout: 5_000 },
  );
  check(true, "after a reload the charts show the run so far");
  await page.click("nav button[data-tab='failures']");
  const failureText = await page.textContent("#failures tbody");
  check(failureText.includes("500"), "the failures tab lists the 500s");
  await page.click("nav button[data-tab='verdict']");
  const verdictText = await page.textContent("#verdict tbody");
  check(verdictText.includes("p95 < 1 s"), "the verdict so far lists the budget");

  await page.click("nav button[data-tab='tasks']");
  await page.waitForFunction(() => document.querySelectorAll("#tasks tbody tr").length >= 4, null, { timeout: 5_000 });
  const taskText = await page.textContent("#tasks tbody");
  check(taskText.includes("Reader") && taskText.includes("GET /health") && taskText.includes("33.3%"),
        `the tasks tab lists the class and its three tasks (${taskText.slice(0, 80)})`);

  await page.click("nav button[data-tab='logs']");
  await page.waitForFunction(() => document.querySelector("#logs").textContent.includes("Ramping to"), null, { timeout: 5_000 });
  check(true, "the logs tab shows the run's log");

  await page.click("nav button[data-tab='charts']");
  await page.screenshot({ path: join(artifacts, "web-ui.png"), fullPage: true });
  await page.click("#stop");
  await page.waitForSelector("#state:text('stopped')", { timeout: 30_000 });
  check(true, "Stop stops the test");
  check(outside.length === 0, `the page fetched nothing from elsewhere (${outside.join(" ") || "none"})`);

  // The run's HTML report, written when the test stopped (--html) ...
  const written = join(work, "report.html");
  const until = Date.now() + 20_000;
  while (!existsSync(written) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  check(existsSync(written), "the --html report was written");
  // ... and the same report downloaded through the page, with the JSON report.
  await page.click("nav button[data-tab='downloads']");
  const report = join(work, "downloaded.html");
  const [htmlDownload] = await Promise.all([page.waitForEvent("download"), page.click("#dl-html")]);
  await htmlDownload.saveAs(report);
  check(htmlDownload.suggestedFilename() === "arrload-report.html", `the HTML download is named ${htmlDownload.suggestedFilename()}`);
  const [jsonDownload] = await Promise.all([page.waitForEvent("download"), page.click("#dl-json")]);
  const jsonPath = join(work, "downloaded.json");
  await jsonDownload.saveAs(jsonPath);
  const json = JSON.parse(readFileSync(jsonPath, "utf8"));
  const reportPage = await browser.newPage();
  const requests = [];
  reportPage.on("request", (r) => {
    if (r.url() !== pathToFileURL(report).href) requests.push(r.url());
  });
  await reportPage.goto(pathToFileURL(report).href);
  check(requests.length === 0, `the report made no request (${requests.join(" ") || "none"})`);
  for (const id of ["run", "verdict", "stats", "percentiles", "charts", "distribution", "failures"]) {
    check((await reportPage.$(`section#${id}`)) !== null, `the report has its ${id} section`);
  }
  const reportTotal = await reportPage.$$eval("#stats tr", (rows) => {
    const total = rows.find((r) => r.cells[1]?.textContent === "Aggregated");
    return total ? [total.cells[2].textContent, total.cells[3].textContent] : null;
  });
  const csv = readFileSync(join(work, "ui_stats.csv"), "utf8").trim().split("\n");
  const csvTotal = csv.find((l) => l.split(",")[1] === "Aggregated").split(",");
  check(
    reportTotal && reportTotal[0] === csvTotal[2] && reportTotal[1] === csvTotal[3],
    `the report's Aggregated requests/failures (${reportTotal}) match the CSV (${csvTotal[2]},${csvTotal[3]})`,
  );
  check(
    String(json.aggregated?.num_requests) === csvTotal[2] && json.stop_reason === "requested",
    `the JSON report's Aggregated requests (${json.aggregated?.num_requests}, ${json.stop_reason}) match the CSV`,
  );
  const reportCharts = await reportPage.textContent("section#charts");
  check(reportCharts.includes("Target memory") && reportCharts.includes("Generator CPU"),
        "the report charts the target's memory and the generator's CPU");
  await reportPage.screenshot({ path: join(artifacts, "html-report.png"), fullPage: true });

  ui.kill("SIGTERM");
  await new Promise((r) => (ui.exitCode !== null ? r() : ui.once("exit", r)));
  check(ui.exitCode !== null, `arrload quit on SIGTERM (exit ${ui.exitCode})`);
} catch (e) {
  failures++;
  console.error(`FAIL ${e.stack || e}`);
  for (const c of children) console.error(`--- ${c.name} output:\n${c.log.join("").slice(-3000)}`);
} finally {
  if (browser) await browser.close();
  stopAll();
  clearTimeout(watchdog);
}
console.log(failures === 0 ? "PASS" : `${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
