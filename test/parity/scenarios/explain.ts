/**
 * `kubectl explain` output as a structure, so that two servers' answers compare field by field
 * (line wrapping and positions aside): the header (GROUP, KIND, VERSION, FIELD), the description,
 * and each field's type and description.
 */

/** One parsed `kubectl explain` page. */
export interface ExplainPage {
  header: Record<string, string>;
  description: string;
  fields: Record<string, { type: string; description: string }>;
}

const joined = (lines: string[]) => lines.map((l) => l.trim()).filter((l) => l !== '').join(' ');

/** Parses kubectl's plain-text explain template (kubectl ≥ 1.27). */
export function parseExplain(stdout: string): ExplainPage {
  const page: ExplainPage = { header: {}, description: '', fields: {} };
  let section: 'header' | 'description' | 'fields' = 'header';
  const description: string[] = [];
  let field: { name: string; lines: string[] } | undefined;
  const flush = () => {
    if (field) page.fields[field.name] = { ...page.fields[field.name], description: joined(field.lines) };
    field = undefined;
  };
  for (const line of stdout.split('\n')) {
    if (line === 'DESCRIPTION:') { section = 'description'; continue; }
    if (line === 'FIELDS:') { section = 'fields'; continue; }
    if (section === 'header') {
      const m = /^([A-Z]+):\s+(.*)$/.exec(line);
      if (m) page.header[m[1]] = m[2].trim();
    } else if (section === 'description') {
      description.push(line);
    } else {
      const head = /^ {2}(\S+)\t(.*)$/.exec(line);
      if (head) {
        flush();
        field = { name: head[1], lines: [] };
        page.fields[head[1]] = { type: head[2].trim(), description: '' };
      } else if (field) field.lines.push(line);
    }
  }
  flush();
  page.description = joined(description);
  return page;
}
