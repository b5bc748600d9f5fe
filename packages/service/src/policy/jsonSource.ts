// A strict JSON parser that remembers where each value starts, so a configuration error can say
// "policy.json:14: profiles.uk.childUnder: ..." instead of only the field. JSON.parse gives no
// positions, and the policy file is small, so a plain recursive-descent parser is enough.

export interface SourcePosition {
  line: number;
  column: number;
}

export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly position: SourcePosition,
  ) {
    super(`line ${position.line}, column ${position.column}: ${reason}`);
    this.name = 'JsonSyntaxError';
  }
}

export interface LocatedJson {
  value: unknown;
  /** Start of the value (for object members: of the key) at each path, keyed by pathKey(). */
  positions: Map<string, SourcePosition>;
  /** Keys that appear twice in one object, with the position of the second occurrence. */
  duplicateKeys: { path: (string | number)[]; position: SourcePosition }[];
}

export function pathKey(path: readonly (string | number | symbol)[]): string {
  return JSON.stringify(path.map((p) => (typeof p === 'symbol' ? String(p) : p)));
}

/** The position of the deepest known value on the path (a missing field points at its parent object). */
export function locate(doc: LocatedJson, path: readonly (string | number | symbol)[]): SourcePosition {
  for (let n = path.length; n >= 0; n--) {
    const found = doc.positions.get(pathKey(path.slice(0, n)));
    if (found) return found;
  }
  return { line: 1, column: 1 };
}

export function parseJsonWithPositions(text: string): LocatedJson {
  let i = 0;
  const positions = new Map<string, SourcePosition>();
  const duplicateKeys: LocatedJson['duplicateKeys'] = [];
  // Line starts, for offset -> line/column.
  const lineStarts = [0];
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === 10) lineStarts.push(k + 1);
  const posAt = (offset: number): SourcePosition => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
  };
  const fail = (reason: string, at = i): never => {
    throw new JsonSyntaxError(reason, posAt(at));
  };
  const describe = (): string => (i >= text.length ? 'end of file' : JSON.stringify(text[i]));
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };

  const parseString = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === '"') {
        i++;
        return out;
      }
      if (ch === '\\') {
        const esc = text[i + 1];
        const map: Record<string, string> = {
          '"': '"',
          '\\': '\\',
          '/': '/',
          b: '\b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
        };
        if (esc === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape in string');
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else if (esc !== undefined && map[esc] !== undefined) {
          out += map[esc];
          i += 2;
        } else fail('invalid escape in string');
        continue;
      }
      if (ch.charCodeAt(0) < 0x20) fail('unescaped control character in string (strings cannot span lines)');
      out += ch;
      i++;
    }
    return fail('string is not closed', start);
  };

  const parseValue = (path: (string | number)[]): unknown => {
    ws();
    positions.set(pathKey(path), posAt(i));
    const ch = text[i];
    if (ch === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a property name in double quotes, found ${describe()}`);
        const keyAt = i;
        const key = parseString();
        if (Object.hasOwn(obj, key)) duplicateKeys.push({ path: [...path, key], position: posAt(keyAt) });
        ws();
        if (text[i] !== ':') fail(`expected ':' after property name, found ${describe()}`);
        i++;
        obj[key] = parseValue([...path, key]);
        // Point member errors at the key, where a reader looks for them.
        positions.set(pathKey([...path, key]), posAt(keyAt));
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === '}') fail('trailing comma before }');
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        fail(`expected ',' or '}' after a property value, found ${describe()}`);
      }
    }
    if (ch === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue([...path, arr.length]));
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === ']') fail('trailing comma before ]');
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        fail(`expected ',' or ']' after an array item, found ${describe()}`);
      }
    }
    if (ch === '"') return parseString();
    const literal = /^(true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (!literal) return fail(`unexpected ${describe()}; expected a value`);
    i += literal[0].length;
    if (literal[0] === 'true') return true;
    if (literal[0] === 'false') return false;
    if (literal[0] === 'null') return null;
    return Number(literal[0]);
  };

  if (text.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark
  const value = parseValue([]);
  ws();
  if (i < text.length) fail(`unexpected ${describe()} after the end of the document`);
  return { value, positions, duplicateKeys };
}
