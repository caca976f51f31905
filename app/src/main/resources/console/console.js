// The socialcrm console: plain JavaScript over the instance's JSON API (no build step, no CDN).
// Every value that comes from data is put in the page as text (textContent), never as HTML.
'use strict';

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const main = document.getElementById('main');
const state = { stream: null, paused: false, chart: null, liveFilter: '' };

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, options = {}) {
  const init = { credentials: 'same-origin', headers: { 'Accept': 'application/json' }, ...options };
  if (options.body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.headers['X-Requested-With'] = 'socialcrm';
    init.body = JSON.stringify(options.body);
  } else if (options.method && options.method !== 'GET') {
    init.headers['X-Requested-With'] = 'socialcrm';
  }
  const response = await fetch(path, init);
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (response.status === 401) {
    signIn();
  }
  if (!response.ok) {
    throw new ApiError(response.status, body && body.error ? body.error : response.statusText);
  }
  return body;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function table(caption, headers, rows, attrs = {}) {
  return el('table', attrs,
    caption ? el('caption', { class: 'muted', text: caption }) : null,
    el('thead', {}, el('tr', {}, headers.map(h => el('th', { scope: 'col', class: h.num ? 'num' : (h.cls || null), text: h.label || h })))),
    el('tbody', {}, rows));
}

function status(text) { document.getElementById('status').textContent = text; }
function number(n, digits = 0) { return Number(n).toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }); }
function percent(x) { return number(x * 100, 1) + ' %'; }
function hourOfWeek(h) { return h === null || h === undefined ? '—' : `${DAYS[Math.floor(h / 24)]} ${String(h % 24).padStart(2, '0')}:00 UTC`; }
function customerLink(id) { return el('a', { href: '#/customer/' + encodeURIComponent(id), text: id }); }
function time(iso) { return iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '—'; }
function topContexts(list) { return (list || []).join(', ') || '—'; }
function strongest(contexts, n) { return Object.entries(contexts || {}).sort((a, b) => b[1] - a[1]).slice(0, n); }

function page(title, ...content) {
  main.replaceChildren(el('h2', { text: title }), ...content);
  document.title = title + ' · socialcrm';
}

function failure(e) {
  const message = e instanceof ApiError ? `${e.message} (${e.status})` : String(e.message || e);
  return el('p', { class: 'error', role: 'alert', text: message });
}

// ---- sign-in -------------------------------------------------------------------------------------

function signIn() {
  const dialog = document.getElementById('sign-in');
  if (!dialog.open) dialog.showModal();
  document.getElementById('token').focus();
}

document.getElementById('sign-in-form').addEventListener('submit', async event => {
  event.preventDefault();
  const token = document.getElementById('token').value;
  try {
    await api('/session', { method: 'POST', body: { token } });
    document.getElementById('token').value = '';
    document.getElementById('sign-in-error').textContent = '';
    document.getElementById('sign-in').close();
    route();
  } catch (e) {
    document.getElementById('sign-in-error').textContent = e.message;
  }
});

// ---- pages ---------------------------------------------------------------------------------------

async function segmentsPage() {
  page('Segments', el('p', { text: 'Loading…' }));
  let segments; let stats; let takeUp;
  try {
    [segments, stats, takeUp] = await Promise.all([api('/segments'), api('/segments/stats').catch(() => null),
      api('/consents/take-up').catch(() => null)]);
  } catch (e) { page('Segments', failure(e)); return; }
  const byId = new Map((stats ? stats.segments : []).map(s => [s.id, s]));
  const chartBox = el('div', { class: 'chart', id: 'size-chart', role: 'img' });
  const chartTitle = el('h3', { id: 'chart-title' });
  const rows = segments.segments.map(s => {
    const st = byId.get(s.id) || {};
    const row = el('tr', { 'data-segment': s.id },
      el('td', {}, el('button', { class: 'secondary', type: 'button', 'aria-label': 'Chart of ' + s.id, onclick: () => select(s.id) }, s.id)),
      el('td', { class: 'hide-narrow', text: s.description || '' }),
      el('td', { class: 'num', text: 'v' + s.version + (s.enabled === false ? ' (off)' : '') }),
      el('td', { class: 'num', 'data-testid': 'members-' + s.id, text: number(s.members) }),
      el('td', { class: 'num', text: st.enteredLastHour === undefined ? '—' : `+${st.enteredLastHour} / −${st.exitedLastHour}` }),
      el('td', { class: 'num', text: st.enteredLastDay === undefined ? '—' : `+${st.enteredLastDay} / −${st.exitedLastDay}` }),
      el('td', {}, el('a', { href: '#/editor/' + encodeURIComponent(s.id), text: 'Edit' })));
    return row;
  });
  const select = id => {
    rows.forEach(r => r.classList.toggle('selected', r.dataset.segment === id));
    chartTitle.textContent = `Size of ${id} over the last day`;
    chartBox.setAttribute('aria-label', chartTitle.textContent);
    drawChart(chartBox, byId.get(id));
  };
  const take = takeUp ? Object.entries(takeUp.platforms).map(([p, n]) => el('tr', {}, el('td', { text: p }), el('td', { class: 'num', text: number(n) }))) : [];
  const spread = takeUp ? Object.entries(takeUp.byPlatformCount).map(([k, n]) => el('tr', {}, el('td', { text: k + (k === '1' ? ' platform' : ' platforms') }),
    el('td', { class: 'num', text: number(n) }))) : [];
  const pairs = takeUp ? Object.entries(takeUp.pairs).sort((a, b) => b[1] - a[1]).map(([k, n]) => el('tr', {}, el('td', { text: k.replace('+', ' & ') }),
    el('td', { class: 'num', text: number(n) }))) : [];
  page('Segments',
    el('div', { class: 'grid' },
      el('section', { class: 'card', 'aria-label': 'Segments in force' },
        chartTitle, chartBox,
        table(null, ['Segment', { label: 'Description', cls: 'hide-narrow' }, { label: 'Version', num: true }, { label: 'Members', num: true },
          { label: 'Last hour', num: true }, { label: 'Last day', num: true }, 'Rule'], rows, { id: 'segments-table' }),
        stats ? el('p', { class: 'muted', text: `Entries / exits from segment-changes, in the changes' own time; as of the newest, ${time(stats.asOf)}${stats.caughtUp ? '' : ' (still reading history)'}` }) : null),
      el('section', { class: 'card', 'aria-label': 'Consent take-up' },
        el('h3', { text: 'Consent take-up' }),
        el('p', { class: 'muted', text: takeUp ? `${number(takeUp.customers)} customers with a consent in force` : 'Not counted yet.' }),
        table('Customers with a consent in force, per platform', ['Platform', { label: 'Customers', num: true }], take, { id: 'take-up' }),
        table('Customers by the number of platforms they consented on', ['Linked on', { label: 'Customers', num: true }], spread, { id: 'take-up-spread' }),
        table('Customers who consented on both', ['Platforms', { label: 'Customers', num: true }], pairs, { id: 'take-up-pairs' }))));
  const largest = segments.segments.slice().sort((a, b) => b.members - a.members)[0];
  if (largest) select(largest.id);
}

function drawChart(box, st) {
  if (state.chart) { state.chart.destroy(); state.chart = null; }
  box.replaceChildren();
  if (!st || !window.uPlot) { box.append(el('p', { class: 'muted', text: 'No history yet.' })); return; }
  const xs = st.sizes.map(p => p[0] / 1000);
  const ys = st.sizes.map(p => p[1]);
  const width = Math.max(280, Math.min(box.clientWidth || 800, 1000));
  state.chart = new uPlot({ width, height: 200, series: [{}, { label: 'members', stroke: '#1b5fc1', fill: 'rgba(27,95,193,0.08)' }],
    axes: [{}, { size: 60 }], legend: { show: true } }, [xs, ys], box);
}

async function livePage() {
  const list = el('ol', { class: 'changes', id: 'changes', 'aria-live': 'polite', 'aria-label': 'Segment changes, newest first' });
  const filter = el('select', { id: 'live-filter' }, el('option', { value: '', text: 'All segments' }));
  const pause = el('button', { type: 'button', class: 'secondary', 'aria-pressed': String(state.paused), id: 'pause' }, state.paused ? 'Resume' : 'Pause');
  pause.addEventListener('click', () => {
    state.paused = !state.paused;
    pause.setAttribute('aria-pressed', String(state.paused));
    pause.textContent = state.paused ? 'Resume' : 'Pause';
    status(state.paused ? 'Paused: new changes are not shown' : 'Following changes');
  });
  filter.addEventListener('change', () => { state.liveFilter = filter.value; list.replaceChildren(); loadRecent(list); });
  page('Live changes', el('div', { class: 'toolbar' }, el('label', { for: 'live-filter', text: 'Segment' }), filter, pause), list);
  try {
    const segments = await api('/segments');
    segments.segments.forEach(s => filter.append(el('option', { value: s.id, text: s.id })));
    filter.value = state.liveFilter;
  } catch (e) { main.append(failure(e)); }
  await loadRecent(list);
  const source = new EventSource('/changes/stream');
  state.stream = source;
  source.addEventListener('change', event => {
    if (state.paused) return;
    const change = JSON.parse(event.data);
    if (state.liveFilter && change.segmentId !== state.liveFilter) return;
    list.prepend(changeItem(change));
    while (list.children.length > 200) list.lastChild.remove();
  });
  source.addEventListener('error', () => status('The change stream was interrupted; reconnecting…'));
  source.addEventListener('open', () => status('Following changes'));
}

async function loadRecent(list) {
  try {
    const recent = await api('/changes/recent?limit=50' + (state.liveFilter ? '&segment=' + encodeURIComponent(state.liveFilter) : ''));
    recent.changes.forEach(c => list.append(changeItem(c)));
  } catch (e) { list.append(el('li', {}, failure(e))); }
}

function changeItem(c) {
  return el('li', { 'data-segment': c.segmentId, 'data-customer': c.customerId },
    el('div', {}, el('span', { class: c.change === 'ENTERED' ? 'entered' : 'exited', text: c.change === 'ENTERED' ? 'entered' : 'left' }), ' ',
      el('strong', { text: c.segmentId }), ' · ', customerLink(c.customerId), ' · score ', number(c.influenceScore, 1),
      ' · ', topContexts(c.topContexts), ' · ', el('span', { class: 'muted', text: time(c.at) })),
    el('div', { class: 'reason', text: c.reason }));
}

async function influencersPage() {
  page('Influencers', el('p', { text: 'Loading…' }));
  try {
    const top = await api('/influencers/top?limit=20');
    const profiles = await Promise.all(top.influencers.map(i => api('/customers/' + encodeURIComponent(i.customerId)).catch(() => null)));
    const rows = top.influencers.map((i, n) => {
      const p = profiles[n] || {};
      const inf = p.influence || {};
      return el('tr', {},
        el('td', { class: 'num', text: n + 1 }), el('td', {}, customerLink(i.customerId)),
        el('td', { class: 'num', text: number(i.score, 1) }), el('td', { class: 'num', text: percent(i.percentile) }),
        el('td', { class: 'num', text: inf.momentum === undefined ? '—' : number(inf.momentum, 2) }),
        el('td', { class: 'hide-narrow', text: topContexts(strongest(p.contexts, 3).map(e => e[0])) }),
        el('td', { text: hourOfWeek(p.bestHourOfWeek) }),
        el('td', { text: p.contactable ? 'yes' : 'no' }));
    });
    page('Influencers', el('section', { class: 'card' }, table(null, [{ label: '#', num: true }, 'Customer', { label: 'Score', num: true },
      { label: 'Percentile', num: true }, { label: 'Momentum', num: true }, { label: 'Top contexts', cls: 'hide-narrow' }, 'Best hour', 'Contactable'],
    rows, { id: 'influencers-table' })));
  } catch (e) { page('Influencers', failure(e)); }
}

async function customerPage(id) {
  page('Customer ' + id, el('p', { text: 'Loading…' }));
  let x;
  try { x = await api('/customers/' + encodeURIComponent(id) + '/explain'); } catch (e) { page('Customer ' + id, failure(e)); return; }
  const p = x.profile;
  const memberships = x.memberships.map(m => el('tr', {}, el('td', { text: m.segmentId }), el('td', { text: time(m.since) }),
    el('td', { class: 'reason', text: m.reason + (m.exitDueSince ? ` (exit due since ${time(m.exitDueSince)}, held by minDwell)` : '') })));
  const parts = Object.entries(x.influence.contributions);
  const max = Math.max(1e-9, ...parts.map(([, v]) => v));
  const influence = parts.map(([name, v]) => el('tr', {}, el('td', { text: name }), el('td', { class: 'num', text: number(p.influence[name] ?? 0, 2) }),
    el('td', { class: 'num', text: number(v, 3) }), el('td', {}, el('meter', { min: 0, max: max, value: v, 'aria-label': name + ' contribution' }))));
  const contexts = strongest(p.contexts, 20).map(([name, weight]) => el('tr', {}, el('td', { text: name }), el('td', { class: 'num', text: number(weight, 2) })));
  const accounts = p.accounts.map(a => el('tr', {}, el('td', { text: a.platform }), el('td', { text: a.handle || '—' }),
    el('td', { text: a.scopes.join(', ') }), el('td', { text: time(a.linkedAt) })));
  page('Customer ' + id,
    el('p', {}, `Influence score ${number(p.influence.score, 1)} (above ${percent(p.influence.percentile)} of customers), momentum ${number(p.influence.momentum, 2)}; `,
      `best hour ${hourOfWeek(p.bestHourOfWeek)}; ${p.contactable ? 'contactable' : 'not contactable'}; last active ${time(p.lastActivityAt)}.`),
    contactLine(x.contactOpportunity),
    el('p', {}, el('a', { href: '/customers/' + encodeURIComponent(id) + '/export', download: 'access-report-' + id + '.json', id: 'export' },
      'Download everything held about this customer (their access report, JSON)')),
    el('div', { class: 'grid' },
      el('div', {},
        el('section', { class: 'card' }, el('h3', { text: 'Memberships, and why' }),
          memberships.length ? table(null, ['Segment', 'Since', 'Reason'], memberships, { id: 'memberships' }) : el('p', { class: 'muted', text: 'In no segment.' })),
        el('section', { class: 'card' }, el('h3', { text: 'What the influence score is made of' }),
          table(`raw ${number(x.influence.raw, 3)} = the sum of the contributions; the score is its percentile among all customers`,
            ['Counter', { label: 'Decayed count', num: true }, { label: 'Contribution', num: true }, 'Share'], influence, { id: 'influence' })),
        el('section', { class: 'card' }, el('h3', { text: 'Activity by hour of the week (UTC)' }), heatMap(x.hours))),
      el('div', {},
        el('section', { class: 'card' }, el('h3', { text: 'Contexts' }), table(null, ['Context', { label: 'Weight', num: true }], contexts)),
        el('section', { class: 'card' }, el('h3', { text: 'Linked accounts and consent' }), table(null, ['Platform', 'Handle', 'Scopes', 'Linked'], accounts)))));
}

/** The customer's contact opportunity of a campaign segment, scheduled or written, in one line. */
function contactLine(o) {
  if (!o) return el('p', { class: 'muted', id: 'contact', text: 'No contact opportunity scheduled (campaign segments give one on entry, with MESSAGING consent).' });
  const state = o.status === 'DUE' ? 'due now, until ' + time(o.expiresAt) : 'scheduled for ' + time(o.contactAt);
  return el('p', { id: 'contact' }, `Contact opportunity (${o.segmentId}): ${state}, at their best hour ${hourOfWeek(o.hourOfWeek)}, `
    + `confidence ${number(o.confidence, 2)}.`);
}

function heatMap(hours) {
  const max = Math.max(1e-9, ...hours);
  const head = el('tr', {}, el('th', { scope: 'col', text: '' }), [...Array(24).keys()].map(h => el('th', { scope: 'col', text: h % 3 === 0 ? String(h) : '' })));
  const rows = DAYS.map((day, d) => el('tr', {}, el('th', { scope: 'row', text: day }), [...Array(24).keys()].map(h => {
    const v = hours[d * 24 + h];
    const cell = el('td', { title: `${day} ${h}:00 UTC: ${number(v, 2)}`, 'aria-label': `${day} ${h}:00 ${number(v, 2)}` });
    cell.style.background = `rgba(27, 95, 193, ${(v / max).toFixed(3)})`;
    return cell;
  })));
  return el('table', { class: 'heat', id: 'heat-map' }, el('thead', {}, head), el('tbody', {}, rows));
}

async function editorPage(id) {
  const field = (name, label, control, help) => el('div', {}, el('label', { for: 'f-' + name, text: label }), control,
    help ? el('p', { class: 'muted', id: 'h-' + name, text: help }) : null, el('p', { class: 'error', id: 'e-' + name, role: 'alert' }));
  const input = (name, attrs = {}) => el('input', { id: 'f-' + name, name, 'aria-describedby': 'e-' + name, ...attrs });
  const area = name => el('textarea', { id: 'f-' + name, name, 'aria-describedby': 'e-' + name, spellcheck: 'false' });
  const mode = el('select', { id: 'f-mode', name: 'mode' }, el('option', { value: 'LIVE', text: 'LIVE' }), el('option', { value: 'SHADOW', text: 'SHADOW (compare only)' }));
  const enabled = el('input', { id: 'f-enabled', name: 'enabled', type: 'checkbox', checked: true });
  const campaign = el('input', { id: 'f-campaign', name: 'campaign', type: 'checkbox' });
  const result = el('div', { id: 'editor-result', role: 'status', 'aria-live': 'polite' });
  const versions = el('div', { id: 'versions' });
  const vars = el('dl', { class: 'vars', id: 'variables' });
  const form = el('form', { id: 'editor', novalidate: true },
    field('id', 'Segment id', input('id', { required: true, pattern: '[a-z0-9-]{1,100}' }), 'Lower-case letters, digits and -'),
    field('description', 'Description', input('description')),
    field('enterWhen', 'Enter when (CEL)', area('enterWhen')),
    field('exitWhen', 'Exit when (CEL, optional: defaults to !(enter when))', area('exitWhen')),
    field('minDwell', 'Minimum dwell (optional, e.g. 2h, 7d)', input('minDwell')),
    el('div', { class: 'toolbar' }, el('label', { for: 'f-mode', text: 'Mode' }), mode, el('label', { for: 'f-enabled', text: 'Enabled' }), enabled,
      el('label', { for: 'f-campaign', text: 'Campaign (contact opportunities)' }), campaign),
    el('p', { class: 'error', id: 'e-definition', role: 'alert' }),
    el('div', { class: 'toolbar' },
      el('button', { type: 'button', id: 'check', class: 'secondary', onclick: () => check() }, 'Check'),
      el('button', { type: 'button', id: 'preview', class: 'secondary', onclick: () => preview() }, 'Preview'),
      el('button', { type: 'submit', id: 'publish' }, 'Publish')),
    result);
  page('Segment editor', el('div', { class: 'grid' },
    el('section', { class: 'card' }, form, el('h3', { text: 'Versions' }), versions),
    el('aside', { class: 'card', 'aria-label': 'Variables a rule can use' }, el('h3', { text: 'Variables' }), vars)));
  const f = name => document.getElementById('f-' + name);
  const definition = () => ({
    id: f('id').value.trim(), description: f('description').value || null, enterWhen: f('enterWhen').value,
    exitWhen: f('exitWhen').value.trim() ? f('exitWhen').value : null, minDwell: f('minDwell').value.trim() || null,
    mode: mode.value, enabled: enabled.checked, campaign: campaign.checked, version: 1
  });
  const showErrors = errors => {
    form.querySelectorAll('p.error').forEach(p => { p.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach(c => c.removeAttribute('aria-invalid'));
    for (const e of errors) {
      const slot = document.getElementById('e-' + e.field) || document.getElementById('e-definition');
      slot.textContent = e.message;
      const control = document.getElementById('f-' + e.field);
      if (control) control.setAttribute('aria-invalid', 'true');
    }
  };
  const check = async () => {
    const answer = await api('/segments/check', { method: 'POST', body: definition() });
    showErrors(answer.errors);
    result.replaceChildren(answer.valid ? el('p', { class: 'ok', text: 'The rules type-check.' }) : el('p', { class: 'error', text: 'Not valid: see the messages above.' }));
    return answer.valid;
  };
  const preview = async () => {
    try {
      if (!await check()) return;
      const answer = await api('/segments/preview?sample=10', { method: 'POST', body: definition() });
      result.replaceChildren(el('p', { id: 'preview-count', text: `${number(answer.members)} of ${number(answer.customers)} customers would be members now.` }),
        table('A sample, by customer id', ['Customer', 'Why'], answer.sample.map(s => el('tr', {}, el('td', {}, customerLink(s.customerId)),
          el('td', { class: 'reason', text: s.reason })))));
    } catch (e) { result.replaceChildren(failure(e)); }
  };
  form.addEventListener('submit', async event => {
    event.preventDefault();
    try {
      if (!await check()) return;
      const d = definition();
      const inForce = async () => {
        const all = await api('/segments');
        const found = (d.mode === 'SHADOW' ? all.shadows : all.segments).find(s => s.id === d.id);
        return found ? found.version : 0;
      };
      d.version = await inForce() + 1;
      const answer = await api('/segments', { method: 'POST', body: d });
      result.replaceChildren(el('p', { class: 'ok', id: 'published', text: `Published ${answer.id} version ${answer.version}. Members follow within seconds.` }));
      for (let i = 0; i < 30 && await inForce() < answer.version; i++) await new Promise(r => setTimeout(r, 500));
      loadVersions(d.id);
    } catch (e) { result.replaceChildren(failure(e)); }
  });
  const loadVersions = async segmentId => {
    try {
      const v = await api('/segments/' + encodeURIComponent(segmentId) + '/versions');
      versions.replaceChildren(table(null, [{ label: 'Version', num: true }, 'Accepted', 'Enter when', 'In force'],
        v.versions.slice().reverse().map(x => el('tr', {}, el('td', { class: 'num', text: x.version }), el('td', { text: time(x.acceptedAt) }),
          el('td', { class: 'reason', text: x.definition.enterWhen }), el('td', { text: x.version === v.inForce ? 'yes' : '' })))));
    } catch (e) { versions.replaceChildren(el('p', { class: 'muted', text: e.status === 404 ? 'Not published yet.' : e.message })); }
  };
  api('/segments/variables').then(v => vars.replaceChildren(...v.variables.flatMap(x => [el('dt', { text: `${x.name}: ${x.type}` }), el('dd', { text: x.doc })])))
    .catch(e => vars.replaceChildren(failure(e)));
  if (id) {
    try {
      const all = await api('/segments');
      const d = all.segments.find(s => s.id === id);
      if (d) {
        f('id').value = d.id; f('description').value = d.description || ''; f('enterWhen').value = d.enterWhen;
        f('exitWhen').value = d.exitWhen || ''; f('minDwell').value = d.minDwell || ''; enabled.checked = d.enabled !== false;
        campaign.checked = d.campaign === true;
        loadVersions(id);
      } else {
        f('id').value = id;
      }
    } catch (e) { result.replaceChildren(failure(e)); }
  }
}

// ---- routing -------------------------------------------------------------------------------------

function route() {
  if (state.stream) { state.stream.close(); state.stream = null; }
  const [, name, arg] = (location.hash || '#/segments').split('/');
  const value = arg ? decodeURIComponent(arg) : null;
  document.querySelectorAll('nav a').forEach(a => (a.dataset.page === name ? a.setAttribute('aria-current', 'page') : a.removeAttribute('aria-current')));
  status('');
  const pages = { segments: segmentsPage, live: livePage, influencers: influencersPage, customer: () => customerPage(value), editor: () => editorPage(value) };
  (pages[name] || segmentsPage)().catch(e => main.replaceChildren(failure(e)));
  main.focus();
}

document.getElementById('find-customer').addEventListener('submit', event => {
  event.preventDefault();
  const id = document.getElementById('customer-id').value.trim();
  if (id) location.hash = '#/customer/' + encodeURIComponent(id);
});

window.addEventListener('hashchange', route);

(async () => {
  try {
    const session = await api('/session');
    if (session.tokenRequired && !session.signedIn) {
      signIn(); // the page is shown once signed in
      return;
    }
  } catch (e) { status(e.message); }
  route();
})();
