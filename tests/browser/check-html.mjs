// Loads an `iotrust assess --format html` report in headless Chromium (Debian's
// /usr/bin/chromium, driven by npm playwright-core from tests/validate) and checks what a
// reader relies on: no console or page errors, no request but the file itself, no dialog
// (an escaped payload must not run), the title and risk tier visible, every chart drawn.
// Usage: node check-html.mjs REPORT.html SCREENSHOT.png [--title TEXT] [--tier TEXT]
//        [--text TEXT]...   Exit 0 ok, 1 a check failed, 77 Chromium or playwright missing.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SKIP = 77;
const here = dirname(fileURLToPath(import.meta.url));
const validate = process.env.IOTRUST_VALIDATE_DIR || join(here, '..', 'validate');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

const args = process.argv.slice(2);
if (args.length < 2) {
	console.error('usage: check-html.mjs REPORT.html SCREENSHOT.png [--title T] [--tier T] [--text T]...');
	process.exit(2);
}
const [report, shot] = args;
const want = { texts: [] };
for (let i = 2; i + 1 < args.length; i += 2) {
	if (args[i] === '--title') want.title = args[i + 1];
	else if (args[i] === '--tier') want.tier = args[i + 1];
	else if (args[i] === '--text') want.texts.push(args[i + 1]);
	else {
		console.error(`unknown option ${args[i]}`);
		process.exit(2);
	}
}

let chromium;
try {
	chromium = createRequire(join(validate, 'package.json'))('playwright-core').chromium;
} catch {
	console.log(`SKIP: playwright-core is not installed in ${validate} (make validators)`);
	process.exit(SKIP);
}
if (!existsSync(chromiumPath)) {
	console.log(`SKIP: ${chromiumPath} is missing (apt-get install chromium)`);
	process.exit(SKIP);
}

const failures = [];
const fail = (m) => failures.push(m);
const url = pathToFileURL(resolve(report)).href;
const browser = await chromium.launch({
	executablePath: chromiumPath,
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
		'--disable-background-networking'],
});
try {
	const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
	page.on('console', (m) => {
		if (m.type() === 'error' || m.type() === 'warning')
			fail(`console ${m.type()}: ${m.text()}`);
	});
	page.on('pageerror', (e) => fail(`page error: ${e.message}`));
	page.on('dialog', async (d) => {
		fail(`a dialog opened (script ran): ${d.message()}`);
		await d.dismiss();
	});
	page.on('request', (r) => {
		if (r.url() !== url) fail(`network request: ${r.url()}`);
	});
	await page.goto(url, { waitUntil: 'load' });

	const title = await page.title();
	if (want.title && !title.includes(want.title)) fail(`title "${title}" lacks "${want.title}"`);
	if (!(await page.locator('h1').isVisible())) fail('the h1 is not visible');
	const tier = page.locator('#tier');
	if (!(await tier.isVisible())) fail('the risk tier is not visible');
	else if (want.tier && (await tier.innerText()).trim() !== want.tier)
		fail(`tier "${await tier.innerText()}", expected "${want.tier}"`);
	for (const t of want.texts)
		if (!(await page.getByText(t, { exact: false }).first().isVisible()))
			fail(`text not visible: ${t}`);
	if ((await page.locator('script').count()) !== 0) fail('the page has a script element');

	for (const id of ['chart-verdicts', 'chart-severity', 'chart-vulns']) {
		const svg = page.locator(`#${id} svg`);
		if ((await svg.count()) !== 1) {
			fail(`chart ${id}: no svg`);
			continue;
		}
		const box = await svg.boundingBox();
		if (!box || box.width <= 0 || box.height <= 0) fail(`chart ${id}: zero size`);
		const alt = await svg.evaluate((e) => [e.querySelector('title')?.textContent || '',
			e.querySelector('desc')?.textContent || '']);
		if (!alt[0] || !alt[1]) fail(`chart ${id}: no <title>/<desc> text alternative`);
	}
	await page.screenshot({ path: shot, fullPage: true });
	console.log(`screenshot: ${shot}`);
} finally {
	await browser.close();
}
if (failures.length) {
	for (const f of failures) console.error(`FAIL: ${f}`);
	process.exit(1);
}
console.log(`ok: ${report} loads cleanly in Chromium (title, tier, 3 charts, no network)`);
