// Baton's live view of upgrades. Everything it shows comes from planner-service's API with the token the operator
// pastes (kept in this tab's sessionStorage only); changes arrive as server-sent events read through fetch, which,
// unlike EventSource, can send the Authorization header. Text from the API is always set as text, never as HTML.
'use strict';

const $ = (id) => document.getElementById(id);
const PAGE = 25;
const ENDED = ['COMPLETED', 'ROLLED_BACK', 'FAILED'];

const view = {
  token: sessionStorage.getItem('baton.token'),
  roles: [],
  upgrades: new Map(), // id -> the upgrade's view, as the API answered it
  order: [], // ids in the list, newest first
  next: null, // the next page's address (Link rel="next")
  selected: null,
  stream: null, // the AbortController of the open stream
};

function say(text, error) {
  $('message').textContent = text || '';
  $('message').className = error ? 'error' : '';
}

function claims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part + '='.repeat((4 - (part.length % 4)) % 4)));
  } catch (e) {
    return null;
  }
}

function may(role) {
  return view.roles.includes(role);
}

async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: {
      Authorization: 'Bearer ' + view.token,
      Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch (e) {
      // not a problem document
    }
    if (response.status === 401) {
      signOut();
    }
    throw new Error(problem && problem.detail ? problem.title + ': ' + problem.detail : 'HTTP ' + response.status);
  }
  const link = response.headers.get('Link');
  const next = link && /rel="next"/.test(link) ? link.substring(link.indexOf('<') + 1, link.indexOf('>')) : null;
  return { json: await response.json(), next };
}

// ---- signing in

function signIn(token) {
  const c = claims(token);
  if (!c) {
    say('That is not a bearer token (a JSON Web Token has three parts separated by dots).', true);
    return;
  }
  view.token = token;
  view.roles = c.groups || [];
  sessionStorage.setItem('baton.token', token);
  $('signin').hidden = true;
  $('who').hidden = false;
  $('sign-out').hidden = false;
  $('who').textContent = (c.upn || c.preferred_username || c.sub || '?') + ' (' + view.roles.join(', ') + ')';
  $('start-form').hidden = !may('operator');
  say('');
  load();
  listen();
}

function signOut() {
  sessionStorage.removeItem('baton.token');
  view.token = null;
  view.roles = [];
  if (view.stream) {
    view.stream.abort();
  }
  $('signin').hidden = false;
  $('who').hidden = true;
  $('sign-out').hidden = true;
  $('start-form').hidden = true;
  $('detail').hidden = true;
  live(false);
  view.order = [];
  renderList();
}

// ---- the list

function query() {
  const q = new URLSearchParams({ limit: PAGE });
  if ($('filter-deployment').value.trim()) {
    q.set('deployment', $('filter-deployment').value.trim());
  }
  if ($('filter-state').value) {
    q.set('state', $('filter-state').value);
  }
  return '/upgrades?' + q;
}

function matches(u) {
  const d = $('filter-deployment').value.trim();
  const s = $('filter-state').value;
  return (!d || u.deployment === d) && (!s || u.state === s.toUpperCase());
}

async function load() {
  try {
    const page = await call('GET', query());
    view.order = [];
    page.json.forEach(remember);
    view.next = page.next;
    renderList();
  } catch (e) {
    say(e.message, true);
  }
}

async function more() {
  try {
    const page = await call('GET', view.next);
    page.json.forEach(remember);
    view.next = page.next;
    renderList();
  } catch (e) {
    say(e.message, true);
  }
}

function newer(a, b) {
  // a list read before a streamed change must not put the older view back
  return !b || new Date(a.updatedAt || 0) >= new Date(b.updatedAt || 0) ? a : b;
}

function remember(u) {
  view.upgrades.set(u.id, newer(u, view.upgrades.get(u.id)));
  if (!view.order.includes(u.id)) {
    view.order.push(u.id);
  }
}

function cell(tr, text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) {
    td.className = className;
  }
  tr.appendChild(td);
  return td;
}

function renderList() {
  const body = $('list').querySelector('tbody');
  body.replaceChildren();
  for (const id of view.order) {
    const u = view.upgrades.get(id);
    const tr = document.createElement('tr');
    tr.dataset.id = id;
    tr.className = id === view.selected ? 'selected' : '';
    cell(tr, u.deployment);
    cell(tr, u.kind.toLowerCase());
    cell(tr, u.state, 'state ' + u.state);
    const created = new Date(u.createdAt);
    const today = created.toDateString() === new Date().toDateString();
    cell(tr, today ? created.toLocaleTimeString() : created.toLocaleDateString()).title = created.toLocaleString();
    cell(tr, id.substring(0, 8), 'id');
    tr.addEventListener('click', () => select(id));
    body.appendChild(tr);
  }
  $('more').hidden = !view.next;
}

// ---- one upgrade

function select(id) {
  view.selected = id;
  renderList();
  renderDetail();
}

function seconds(from, to) {
  return ((new Date(to) - new Date(from)) / 1000).toFixed(1) + ' s';
}

function figure(title, text) {
  const div = document.createElement('div');
  div.className = 'figure';
  const b = document.createElement('b');
  b.textContent = title;
  div.appendChild(b);
  div.appendChild(document.createTextNode(text));
  return div;
}

function renderDetail() {
  const u = view.upgrades.get(view.selected);
  $('detail').hidden = !u;
  if (!u) {
    return;
  }
  $('detail-title').textContent = u.kind.toLowerCase() + ' upgrade of ' + u.deployment;
  $('state').textContent = u.state;
  $('state').className = 'state ' + u.state;
  const ended = u.endedAt ? ', ended after ' + seconds(u.createdAt, u.endedAt) : '';
  $('meta').textContent = u.id + ' · ' + (u.classification || '') + ' · started by ' + (u.requestedBy || '?') + ' at '
      + new Date(u.createdAt).toLocaleString() + ended + (u.approvedBy ? ' · approved by ' + u.approvedBy : '')
      + (u.abortedBy ? ' · aborted by ' + u.abortedBy : '');
  $('approve').hidden = !(may('approver') && u.state === 'AWAITING_APPROVAL');
  $('abort').hidden = !(may('operator') && !ENDED.includes(u.state) && u.state !== 'ABORTING'
      && u.state !== 'ROLLING_BACK');
  $('failure').hidden = !u.failure;
  $('failure').textContent = u.failure || '';

  const figures = $('figures');
  figures.replaceChildren();
  for (const step of u.steps) {
    const d = step.details || {};
    if (step.name === 'PROMOTE' && d.writeFenceMillis !== undefined) {
      const same = d.oldMasterFinalPosition === d.newMasterAppliedPosition;
      const proof = figure('switchover proof', 'old master ended at ' + d.oldMasterFinalPosition + ', new master applied '
          + d.newMasterAppliedPosition + (same ? ': nothing lost' : ': NOT EQUAL') + '; writes held '
          + d.writeFenceMillis + ' ms');
      proof.id = 'proof';
      figures.appendChild(proof);
    }
    if (step.name === 'AWAIT_SESSIONS_DRAINED' && d.drainMillis !== undefined) {
      const drain = figure('drain', (d.drained === 'true' ? 'drained' : 'deadline passed') + ' in ' + d.drainMillis
          + ' ms, ' + (d.sessionsCut || '0') + ' sessions cut');
      drain.id = 'drain';
      figures.appendChild(drain);
    }
    if (step.name === 'AWAIT_CATCH_UP' && d.catchUpMillis !== undefined) {
      figures.appendChild(figure('catch-up', d.catchUpMillis + ' ms'));
    }
    if (step.name === 'RUN_MIGRATIONS' && d.migrationsApplied !== undefined) {
      figures.appendChild(figure('migrations', d.migrationsApplied + ' applied, ' + (d.lockTimeouts || '0')
          + ' lock timeouts'));
    }
  }

  // bars on one time axis, from the upgrade's start to its end (or now)
  const start = new Date(u.createdAt).getTime();
  let end = u.endedAt ? new Date(u.endedAt).getTime() : Date.now();
  for (const step of u.steps) {
    for (const t of [step.endedAt, step.compensatedAt]) {
      if (t) {
        end = Math.max(end, new Date(t).getTime());
      }
    }
  }
  const span = Math.max(end - start, 1);
  const pct = (t) => ((new Date(t).getTime() - start) / span) * 100;
  const steps = $('steps');
  steps.replaceChildren();
  for (const step of u.steps) {
    const row = document.createElement('div');
    row.className = 'step';
    row.dataset.step = step.name;
    row.dataset.outcome = step.outcome;
    const name = document.createElement('div');
    name.className = 'name';
    name.textContent = (step.index + 1) + '. ' + step.name + (step.pivot ? ' ◆' : '');
    const owner = document.createElement('span');
    owner.className = 'owner';
    owner.textContent = ' ' + step.owner.toLowerCase();
    name.appendChild(owner);
    const track = document.createElement('div');
    track.className = 'track';
    const bar = (kind, from, to, extra) => {
      const b = document.createElement('span');
      b.className = 'bar ' + kind + (extra ? ' ' + extra : '');
      const left = pct(from);
      b.style.left = left + '%';
      b.style.width = Math.max((to ? pct(to) : 100) - left, 0.3) + '%';
      b.title = kind + ' ' + (to ? seconds(from, to) : 'running');
      track.appendChild(b);
    };
    if (step.startedAt) {
      bar('action', step.startedAt, step.endedAt, step.endedAt ? step.outcome : 'running');
    }
    if (step.compensationStartedAt) {
      bar('compensation', step.compensationStartedAt, step.compensatedAt, step.compensatedAt ? '' : 'running');
    }
    const outcome = document.createElement('div');
    outcome.className = 'outcome';
    outcome.textContent = step.outcome.toLowerCase().replace(/_/g, ' ')
        + (step.startedAt && step.endedAt ? ' in ' + seconds(step.startedAt, step.endedAt) : '')
        + (step.compensatedAt ? ', undone in ' + seconds(step.compensationStartedAt, step.compensatedAt) : '');
    row.append(name, track, outcome);
    steps.appendChild(row);
  }
}

async function act(action) {
  const id = view.selected;
  try {
    const answer = await call('POST', '/upgrades/' + encodeURIComponent(id) + '/' + action);
    say(action === 'approve' ? 'Approved: the upgrade goes on.' : 'Aborting: every completed step is undone.');
    changed(answer.json.steps ? answer.json : Object.assign({}, view.upgrades.get(id), { state: answer.json.state }));
  } catch (e) {
    say(e.message, true);
  }
}

async function start(dryRun) {
  let change;
  try {
    change = JSON.parse($('start-change').value);
  } catch (e) {
    say('The change is not JSON: ' + e.message, true);
    return;
  }
  const request = { deployment: $('start-deployment').value.trim(), kind: 'database', change };
  if ($('start-approval').checked) {
    request.approvalRequired = true;
  }
  try {
    const plan = (await call('POST', '/upgrades' + (dryRun ? '?dryRun=true' : ''), request)).json;
    const steps = plan.plan.map((s) => s.name).join(', ');
    if (dryRun) {
      say('Would run a ' + plan.classification + ' upgrade: ' + steps);
      return;
    }
    say('Started ' + plan.id + ' (' + plan.classification + '): ' + steps);
    const upgrade = (await call('GET', '/upgrades/' + encodeURIComponent(plan.id))).json;
    changed(upgrade);
    select(plan.id);
  } catch (e) {
    say(e.message, true);
  }
}

// ---- live

function live(on) {
  $('live').textContent = on ? 'live' : 'offline';
  $('live').className = on ? 'on' : 'off';
}

function changed(u) {
  view.upgrades.set(u.id, newer(u, view.upgrades.get(u.id)));
  if (!view.order.includes(u.id) && matches(u)) {
    view.order.unshift(u.id);
  }
  renderList();
  if (u.id === view.selected) {
    renderDetail();
  }
}

async function listen() {
  if (view.stream) {
    view.stream.abort();
  }
  const controller = new AbortController();
  view.stream = controller;
  while (!controller.signal.aborted && view.token) {
    try {
      const response = await fetch('/upgrades/stream', {
        headers: { Authorization: 'Bearer ' + view.token, Accept: 'text/event-stream' },
        signal: controller.signal,
      });
      if (response.status === 401) {
        say('The token was refused (expired?): sign in again.', true);
        signOut();
        return;
      }
      if (!response.ok) {
        throw new Error('the stream answered HTTP ' + response.status);
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          break;
        }
        buffer += value.replace(/\r/g, '');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const raw = buffer.substring(0, end);
          buffer = buffer.substring(end + 2);
          let name = 'message';
          const data = [];
          for (const line of raw.split('\n')) {
            if (line.startsWith('event:')) {
              name = line.substring(6).trim();
            } else if (line.startsWith('data:')) {
              data.push(line.substring(5).replace(/^ /, ''));
            }
          }
          if (name === 'hello') {
            live(true);
            load(); // what changed before the stream opened
          } else if (name === 'upgrade') {
            changed(JSON.parse(data.join('\n')));
          }
        }
      }
    } catch (e) {
      if (controller.signal.aborted) {
        return;
      }
    }
    live(false);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

// a running step's bar grows with the clock
setInterval(() => {
  const u = view.upgrades.get(view.selected);
  const running = (s) => (s.startedAt && !s.endedAt) || (s.compensationStartedAt && !s.compensatedAt);
  if (u && !ENDED.includes(u.state) && u.steps.some(running)) {
    renderDetail();
  }
}, 1000);

$('signin').addEventListener('submit', (e) => {
  e.preventDefault();
  signIn($('token').value.trim());
  $('token').value = '';
});
$('sign-out').addEventListener('click', signOut);
$('filters').addEventListener('submit', (e) => {
  e.preventDefault();
  load();
});
$('more').addEventListener('click', more);
$('approve').addEventListener('click', () => act('approve'));
$('abort').addEventListener('click', () => act('abort'));
$('dry-run').addEventListener('click', () => start(true));
$('start-form').addEventListener('submit', (e) => {
  e.preventDefault();
  start(false);
});
if (view.token) {
  signIn(view.token);
}
