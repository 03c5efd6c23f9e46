/**
 * A small Markdown → HTML converter for docs/math.md (no network, no dependency):
 * ATX headings (with ids; `## §3 …` gets id `s3`, so "docs/math.md §3" can link to
 * `math.html#s3`), paragraphs, bullet and numbered lists (continuation lines
 * indented), fenced and 4-space-indented code blocks, pipe tables, and inline code,
 * **bold**, *italic* and [links](url). The formulas in math.md are Unicode text in
 * code, which the page shows in a monospace font, unchanged. Anything else is text
 * (escaped), never raw HTML.
 */

const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Inline Markdown of one line of text: code spans first (their contents stay literal), then links, bold, italic. */
export function inline(text) {
  const parts = text.split(/(`[^`]+`)/);
  return parts.map((p, i) => {
    if (i % 2 === 1) return `<code>${escape(p.slice(1, -1))}</code>`;
    return escape(p)
      .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, t, href) => `<a href="${href.replace(/\.md(#|$)/, '.html$1')}">${t}</a>`)
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
      .replace(/(^|[^*\w])\*([^*\s][^*]*?)\*(?!\w)/g, '$1<em>$2</em>');
  }).join('');
}

/** The id of a heading: `§n …` → `sn`, else its words joined by dashes. */
export function headingId(text) {
  const section = /^§(\d+)\b/.exec(text);
  return section ? `s${section[1]}` : text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '');
}

const cells = (row) => row.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
const isTableRule = (line) => /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(line);
const listItem = /^(\s*)([-*]|\d+\.)\s+(.*)$/;

/** Converts a Markdown document to an HTML fragment. */
export function markdownToHtml(md) {
  const lines = md.replace(/\r\n?/g, '\n').split('\n');
  const out = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (/^\s*$/.test(line)) { i++; continue; }
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const level = h[1].length;
      out.push(`<h${level} id="${headingId(h[2])}">${inline(h[2])}</h${level}>`);
      i++;
      continue;
    }
    const fence = /^\s*(```+|~~~+)\s*(\S*)/.exec(line);
    if (fence) {
      const body = [];
      for (i++; i < lines.length && !lines[i].trim().startsWith(fence[1]); i++) body.push(lines[i]);
      i++;
      out.push(`<pre><code${fence[2] ? ` class="language-${escape(fence[2])}"` : ''}>${escape(body.join('\n'))}</code></pre>`);
      continue;
    }
    if (/^( {4}|\t)/.test(line)) {
      const body = [];
      while (i < lines.length && (/^( {4}|\t)/.test(lines[i]) || (/^\s*$/.test(lines[i]) && /^( {4}|\t)/.test(lines[i + 1] ?? '')))) {
        body.push(lines[i].replace(/^( {4}|\t)/, ''));
        i++;
      }
      out.push(`<pre><code>${escape(body.join('\n'))}</code></pre>`);
      continue;
    }
    if (line.includes('|') && isTableRule(lines[i + 1] ?? '')) {
      const head = cells(line);
      const rows = [];
      for (i += 2; i < lines.length && lines[i].includes('|') && !/^\s*$/.test(lines[i]); i++) rows.push(cells(lines[i]));
      out.push(`<table><thead><tr>${head.map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead><tbody>${
        rows.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`);
      continue;
    }
    const item = listItem.exec(line);
    if (item) {
      const ordered = /\d/.test(item[2]);
      const items = [];
      while (i < lines.length) {
        const m = listItem.exec(lines[i]);
        if (m && m[1].length <= item[1].length) {
          items.push([m[3]]);
          i++;
        } else if (items.length && /^\s+\S/.test(lines[i])) {
          items[items.length - 1].push(lines[i].trim()); // a continuation line (or a nested item, kept as text)
          i++;
        } else break;
      }
      const tag = ordered ? 'ol' : 'ul';
      out.push(`<${tag}>${items.map((t) => `<li>${inline(t.join(' '))}</li>`).join('')}</${tag}>`);
      continue;
    }
    const para = [];
    while (i < lines.length && !/^\s*$/.test(lines[i]) && !/^(#{1,6}\s|\s*```|\s*~~~| {4}|\t)/.test(lines[i]) && !listItem.test(lines[i])
      && !(lines[i].includes('|') && isTableRule(lines[i + 1] ?? ''))) {
      para.push(lines[i].trim());
      i++;
    }
    out.push(`<p>${inline(para.join(' '))}</p>`);
  }
  return out.join('\n');
}
