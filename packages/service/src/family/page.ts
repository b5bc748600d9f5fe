// The embeddable Family Centre page as one HTML document: no script, every text from the catalogues in
// the viewer's language, every value escaped, themed through CSS custom properties (--lg-*). The same
// document serves the parent and the teen; only the sentence at the top and the end button differ.
import type { Translate } from '../i18n/catalogue.ts';
import type { FamilyView } from './familyCentre.ts';

/** Accounts listed in the connections section; the rest are counted. */
export const PAGE_CONNECTIONS = 200;

const esc = (v: unknown): string =>
  String(v).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const THEME_VARS: Record<string, string> = {
  accent: '--lg-accent',
  background: '--lg-bg',
  text: '--lg-text',
  muted: '--lg-muted',
  radius: '--lg-radius',
  font: '--lg-font',
};

export const PAGE_CSS = `
:root { --lg-accent: #1a73e8; --lg-bg: #ffffff; --lg-text: #1f2328; --lg-muted: #57606a; --lg-radius: 10px; --lg-font: system-ui, sans-serif; }
body { margin: 0; padding: 16px; background: var(--lg-bg); color: var(--lg-text); font: 16px/1.45 var(--lg-font); }
h1 { font-size: 1.4rem; margin: 0 0 8px; } h2 { font-size: 1.05rem; margin: 0 0 8px; }
section { border: 1px solid color-mix(in srgb, var(--lg-muted) 30%, transparent); border-radius: var(--lg-radius); padding: 12px 14px; margin: 12px 0; }
ul { list-style: none; margin: 0; padding: 0; } li { padding: 6px 0; border-top: 1px solid color-mix(in srgb, var(--lg-muted) 15%, transparent); display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: center; }
li:first-child { border-top: 0; } .muted { color: var(--lg-muted); font-size: .9rem; } .who { font-weight: 600; }
.tag { background: color-mix(in srgb, var(--lg-accent) 15%, transparent); color: var(--lg-text); border-radius: 999px; padding: 0 8px; font-size: .8rem; }
button { font: inherit; border: 1px solid var(--lg-accent); color: var(--lg-accent); background: transparent; border-radius: var(--lg-radius); padding: 2px 10px; cursor: pointer; }
button.primary { background: var(--lg-accent); color: var(--lg-bg); } form { display: inline; margin: 0; } a { color: var(--lg-accent); }
.notice { background: color-mix(in srgb, var(--lg-accent) 12%, transparent); border-radius: var(--lg-radius); padding: 8px 12px; }
`;

export function themeCss(theme: Record<string, string>): string {
  const vars = Object.entries(theme)
    .filter(([k]) => k in THEME_VARS)
    .map(([k, v]) => `${THEME_VARS[k]}: ${v.replace(/[;{}<>\\]/g, '')};`);
  return vars.length ? `:root { ${vars.join(' ')} }` : '';
}

export interface PageOptions {
  view: FamilyView;
  t: Translate;
  token: string;
  theme: Record<string, string>;
  nonce: string;
  canEnd: boolean;
  notice?: string | undefined;
}

export function document(
  title: string,
  lang: string,
  nonce: string,
  theme: Record<string, string>,
  body: string,
): string {
  return (
    `<!doctype html><html lang="${esc(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${esc(title)}</title><style nonce="${esc(nonce)}">${PAGE_CSS}${themeCss(theme)}</style></head><body>${body}</body></html>`
  );
}

export function renderPage(o: PageOptions): string {
  const { view, t } = o;
  const d = view.data;
  const at = (ms: number) => new Date(ms);
  const reportForm = (accountId: string) =>
    `<form method="post" action="report"><input type="hidden" name="token" value="${esc(o.token)}"><input type="hidden" name="accountId" value="${esc(accountId)}"><button type="submit" data-report="${esc(accountId)}">${esc(t('family.report'))}</button></form>`;
  // The platform's display name where it reported one (the id beside it), else the id. Own properties
  // only: an id such as "constructor" must not find Object's.
  const nameOf = (id: string): string | undefined => (d.names && Object.hasOwn(d.names, id) ? d.names[id] : undefined);
  const named = (id: string) => nameOf(id) ?? id;
  const who = (id: string) => {
    const name = nameOf(id);
    return name
      ? `<span class="who">${esc(name)}</span><span class="muted">${esc(id)}</span>`
      : `<span class="who">${esc(id)}</span>`;
  };
  const list = (items: string[], empty: string) =>
    items.length ? `<ul>${items.join('')}</ul>` : `<p class="muted">${esc(empty)}</p>`;

  const recent = d.recentContacts.map(
    (c) =>
      `<li data-account="${esc(c.userId)}">${who(c.userId)}<span class="muted">${esc(t('family.messages', { count: c.messages, last: at(c.lastAt) }))}</span>${reportForm(c.userId)}</li>`,
  );
  const fresh = d.newConnections.map((c) => {
    const age = t('family.age', { age: c.age });
    return `<li data-account="${esc(c.userId)}">${who(c.userId)}${age ? `<span class="tag">${esc(age)}</span>` : ''}<span class="muted">${esc(t('family.connected_since', { since: at(c.since) }))}</span>${reportForm(c.userId)}</li>`;
  });
  const shown = d.connections.accounts
    .slice(0, PAGE_CONNECTIONS)
    .map(
      (c) =>
        `<li>${who(c.userId)}<span class="muted">${esc(t('family.connected_since', { since: at(c.since) }))}</span></li>`,
    );
  const more = d.connections.total - shown.length;
  const settingsLine = t(
    d.settings.state === 'on'
      ? 'family.settings.on'
      : d.settings.state === 'changed'
        ? 'family.settings.changed'
        : 'family.settings.unknown',
    { count: d.settings.items.filter((i) => i.on === false).length },
  );
  const settings = d.settings.items
    .filter((i) => i.on !== null)
    .map(
      (i) =>
        `<li><span>${esc(t('family.setting.name', { setting: i.setting }))}</span><span class="tag">${esc(t('family.setting.state', { on: i.on ? 'yes' : 'no' }))}</span></li>`,
    );
  const warnings = d.warnings.map(
    (w) =>
      `<li data-warning="${esc(w.kind)}"><span>${esc(t('family.warning', { kind: w.kind }))}</span><span class="muted">${esc(t('family.when', { at: at(w.at) }))}${w.accountId ? ` · ${esc(named(w.accountId))}` : ''}</span>${w.accountId ? reportForm(w.accountId) : ''}</li>`,
  );
  const help = view.help.map(
    (h) =>
      `<li><a href="${esc(h.url)}" rel="noopener" target="_blank">${esc(h.name)}</a>${h.phone ? `<span class="muted">${esc(h.phone)}</span>` : ''}</li>`,
  );
  const intro =
    view.viewer.role === 'parent'
      ? t('family.view.parent', { teen: named(d.teenId) })
      : t('family.view.teen', { parent: named(d.parentId) });

  const body = `<main data-role="${esc(view.viewer.role)}">
<h1>${esc(t('family.title'))}</h1>
<p data-intro>${esc(intro)}</p>
${o.notice ? `<p class="notice" role="status">${esc(o.notice)}</p>` : ''}
<section data-section="explain"><h2>${esc(t('family.section.explain', { role: view.viewer.role, teen: named(d.teenId) }))}</h2><p>${esc(t('family.explain.can_see'))}</p><p>${esc(t('family.explain.cannot_see'))}</p></section>
<section data-section="recent"><h2>${esc(t('family.section.recent'))}</h2>${list(recent, t('family.nothing'))}</section>
<section data-section="new"><h2>${esc(t('family.section.new'))}</h2>${list(fresh, t('family.nothing'))}</section>
<section data-section="settings"><h2>${esc(t('family.section.settings'))}</h2><p>${esc(settingsLine)}</p>${settings.length ? `<ul>${settings.join('')}</ul>` : ''}</section>
<section data-section="warnings"><h2>${esc(t('family.section.warnings'))}</h2>${list(warnings, t('family.nothing'))}</section>
<section data-section="connections"><h2>${esc(t('family.section.connections', { count: d.connections.total }))}</h2>${list(shown, t('family.no_connections'))}${more > 0 ? `<p class="muted">${esc(t('family.more', { count: more }))}</p>` : ''}</section>
<section data-section="help"><h2>${esc(t('family.section.help'))}</h2>${list(help, '')}</section>
${o.canEnd ? `<form method="post" action="end"><input type="hidden" name="token" value="${esc(o.token)}"><button class="primary" type="submit" data-end>${esc(t('family.end'))}</button></form>` : ''}
</main>`;
  return document(t('family.title'), view.locale.used, o.nonce, o.theme, body);
}
