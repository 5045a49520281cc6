/**
 * LaTeX (or plain-text math) → a mathjs expression string. mathjs cannot read LaTeX, and its own reading of `xy` as
 * one symbol and of `1/2x` as `1/(2x)` differs from how answers are written, so this emits explicit `*` for every
 * implicit product and renames every variable letter (`v_x`) so no letter collides with a mathjs constant
 * (`E`, `phi`) or function. `e` stays Euler's number, `i` the imaginary unit, `\pi` is `pi`.
 * Returns `null` for anything it does not understand; the caller then compares strings.
 */

type Token =
  | { t: 'num'; v: string }
  | { t: 'id'; v: string }
  | { t: 'fn'; v: string }
  | { t: 'cmd'; v: string }
  | { t: 'open'; v: string }
  | { t: 'close'; v: string }
  | { t: 'op'; v: string };

/** Function names recognised without a backslash too (`sin x`, `sqrt(2)`), longest first. */
const PLAIN_FUNCTIONS = [
  'arcsin',
  'arccos',
  'arctan',
  'sinh',
  'cosh',
  'tanh',
  'sqrt',
  'sin',
  'cos',
  'tan',
  'sec',
  'csc',
  'cot',
  'exp',
  'log',
  'ln',
];
const FUNCTION_MAP: Record<string, string> = {
  sin: 'sin',
  cos: 'cos',
  tan: 'tan',
  sec: 'sec',
  csc: 'csc',
  cot: 'cot',
  arcsin: 'asin',
  arccos: 'acos',
  arctan: 'atan',
  sinh: 'sinh',
  cosh: 'cosh',
  tanh: 'tanh',
  exp: 'exp',
  ln: 'log',
  log: 'log',
  lg: 'log10',
};
const GREEK = new Set([
  'alpha',
  'beta',
  'gamma',
  'delta',
  'epsilon',
  'varepsilon',
  'zeta',
  'eta',
  'theta',
  'vartheta',
  'iota',
  'kappa',
  'lambda',
  'mu',
  'nu',
  'xi',
  'rho',
  'sigma',
  'tau',
  'upsilon',
  'phi',
  'varphi',
  'chi',
  'psi',
  'omega',
  'Gamma',
  'Delta',
  'Theta',
  'Lambda',
  'Xi',
  'Sigma',
  'Phi',
  'Psi',
  'Omega',
]);

/** Longest input converted; longer leaves are compared as strings (keeps parse and evaluation time bounded). */
export const MAX_LEAF_CHARS = 500;

export class ConvertError extends Error {}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
      continue;
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i, i + 64));
    if (num) {
      out.push({ t: 'num', v: num[0] });
      i += num[0].length;
      continue;
    }
    if (c === '\\') {
      const cmd = /^\\([a-zA-Z]+|.)/.exec(src.slice(i, i + 40));
      if (!cmd) throw new ConvertError('dangling backslash');
      out.push({ t: 'cmd', v: cmd[1] });
      i += cmd[0].length;
      continue;
    }
    if (/[a-zA-Z]/.test(c)) {
      const run = /^[a-zA-Z]+/.exec(src.slice(i))![0];
      let j = 0;
      while (j < run.length) {
        const rest = run.slice(j);
        const fn = PLAIN_FUNCTIONS.find((f) => rest.startsWith(f));
        if (fn) {
          out.push({ t: 'fn', v: fn });
          j += fn.length;
        } else if (/^(?:infinity|infty|inf)/i.test(rest) && j === 0) {
          const m = /^(?:infinity|infty|inf)/i.exec(rest)!;
          out.push({ t: 'cmd', v: 'infty' });
          j += m[0].length;
        } else if (rest.startsWith('pi')) {
          out.push({ t: 'cmd', v: 'pi' });
          j += 2;
        } else {
          out.push({ t: 'id', v: rest[0] });
          j++;
        }
      }
      i += run.length;
      continue;
    }
    if ('({['.includes(c)) out.push({ t: 'open', v: c });
    else if (')}]'.includes(c)) out.push({ t: 'close', v: c });
    else if ('+-*/^_!|,'.includes(c)) out.push({ t: 'op', v: c });
    else throw new ConvertError(`unexpected character '${c}'`);
    i++;
  }
  return out;
}

class Emitter {
  private pos = 0;
  readonly variables = new Set<string>();
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
  private next(): Token {
    const t = this.tokens[this.pos++];
    if (!t) throw new ConvertError('unexpected end');
    return t;
  }

  /** A sequence of terms up to (not including) a closer or `|` when `inAbs`. */
  expr(closers: string, inAbs = false): string {
    let out = '';
    let lastWasValue = false;
    for (;;) {
      const t = this.peek();
      if (!t) break;
      if (t.t === 'close' && closers.includes(t.v)) break;
      if (t.t === 'op' && t.v === '|' && inAbs) break;
      if (t.t === 'close') throw new ConvertError(`unbalanced '${t.v}'`);
      if (t.t === 'op' && t.v !== '|') {
        this.pos++;
        if (t.v === '^') {
          if (!lastWasValue) throw new ConvertError('power without base');
          out += `^(${this.power()})`;
          continue;
        }
        if (t.v === '!') {
          if (!lastWasValue) throw new ConvertError('factorial without operand');
          out += '!';
          continue;
        }
        if (t.v === '_' || t.v === ',') throw new ConvertError(`unexpected '${t.v}'`);
        out += ` ${t.v} `;
        lastWasValue = false;
        continue;
      }
      if (t.t === 'cmd' && (t.v === 'cdot' || t.v === 'times' || t.v === 'ast')) {
        this.pos++;
        out += ' * ';
        lastWasValue = false;
        continue;
      }
      if (t.t === 'cmd' && t.v === 'div') {
        this.pos++;
        out += ' / ';
        lastWasValue = false;
        continue;
      }
      let v = this.atom();
      // A mixed number: an integer written directly before \frac of two integers is 2\frac{1}{3} = 7/3.
      const after = this.peek();
      if (t.t === 'num' && /^\d+$/.test(t.v) && !lastWasValue && after?.t === 'cmd' && after.v === 'frac') {
        const save = this.pos;
        this.pos++;
        const a = this.argument();
        const b = this.argument();
        if (/^\(?\d+\)?$/.test(a) && /^\(?\d+\)?$/.test(b)) v = `(${v} + ${a} / ${b})`;
        else this.pos = save;
      }
      out += lastWasValue ? ` * ${v}` : v;
      lastWasValue = true;
    }
    if (out.trim() === '') throw new ConvertError('empty expression');
    return out;
  }

  /** The exponent after `^`: a group, a signed number, or one atom. */
  private power(): string {
    const t = this.peek();
    if (t?.t === 'op' && (t.v === '-' || t.v === '+')) {
      this.pos++;
      return `${t.v}${this.power()}`;
    }
    return this.atom(true);
  }

  /** One argument of `\frac`-like commands: a braced group, or a single digit/letter/command (`\frac12`). */
  private argument(): string {
    const t = this.peek();
    if (!t) throw new ConvertError('missing argument');
    if (t.t === 'open' && t.v === '{') {
      this.pos++;
      const inner = this.expr('}');
      this.expect('}');
      return `(${inner})`;
    }
    if (t.t === 'num') {
      this.pos++;
      // TeX reads one digit as an undelimited argument: \frac12 is 1/2; the rest of the number follows as a product.
      if (t.v.length > 1) {
        this.tokens.splice(this.pos, 0, { t: 'num', v: t.v.slice(1) });
        return t.v[0];
      }
      return t.v;
    }
    return this.atom();
  }

  private expect(closer: string): void {
    const t = this.next();
    if (t.t !== 'close' || t.v !== closer) throw new ConvertError(`expected '${closer}'`);
  }

  private atom(inPower = false): string {
    const t = this.next();
    switch (t.t) {
      case 'num':
        return t.v;
      case 'id': {
        let name = t.v;
        const sub = this.peek();
        if (sub?.t === 'op' && sub.v === '_') {
          this.pos++;
          const s = this.next();
          if (s.t === 'num' || s.t === 'id') name += `_${s.v}`;
          else if (s.t === 'open' && s.v === '{') {
            let text = '';
            for (let u = this.next(); !(u.t === 'close' && u.v === '}'); u = this.next()) {
              if (u.t !== 'num' && u.t !== 'id') throw new ConvertError('subscript must be letters or digits');
              text += u.v;
            }
            name += `_${text}`;
          } else throw new ConvertError('bad subscript');
        }
        if (name === 'e' || name === 'i') return name;
        const variable = `v_${name}`;
        this.variables.add(variable);
        return variable;
      }
      case 'open': {
        const inner = this.expr(t.v === '{' ? '}' : ')]');
        const close = this.next();
        if (t.v === '{' && close.v !== '}') throw new ConvertError('unbalanced braces');
        return `(${inner})`;
      }
      case 'op':
        if (t.v === '|') {
          const inner = this.expr(')]}', true);
          const close = this.next();
          if (close.t !== 'op' || close.v !== '|') throw new ConvertError('unclosed |');
          return `abs(${inner})`;
        }
        if (inPower && (t.v === '-' || t.v === '+')) return `${t.v}${this.atom(true)}`;
        throw new ConvertError(`unexpected '${t.v}'`);
      case 'fn':
        return this.application(t.v);
      case 'cmd':
        return this.command(t.v);
      case 'close':
        throw new ConvertError(`unexpected '${t.v}'`);
    }
  }

  private command(name: string): string {
    if (name === 'frac') {
      const a = this.argument();
      const b = this.argument();
      return `(${a} / ${b})`;
    }
    if (name === 'binom') {
      const a = this.argument();
      const b = this.argument();
      return `nCr(${a}, ${b})`;
    }
    if (name === 'sqrt') return this.application('sqrt');
    if (name === 'pi') return 'pi';
    if (name === 'infty' || name === 'infin') return 'Infinity';
    if (GREEK.has(name)) {
      const variable = `g_${name}`;
      this.variables.add(variable);
      return variable;
    }
    // latexToMathjs rewrote `\lfloor x \rfloor` as `\lfloor(x)`: the group is the argument.
    if (name === 'lfloor' || name === 'lceil') return `${name === 'lfloor' ? 'floor' : 'ceil'}${this.atom()}`;
    if (name in FUNCTION_MAP || name === 'lg') return this.application(name);
    throw new ConvertError(`unsupported command \\${name}`);
  }

  /** `\sin x`, `\sin^2(x)`, `\log_2 8`, `\sqrt[3]{x}`, `sqrt(2)`. */
  private application(name: string): string {
    let exponent: string | null = null;
    let base: string | null = null;
    let root: string | null = null;
    if (name === 'sqrt') {
      const t = this.peek();
      if (t?.t === 'open' && t.v === '[') {
        this.pos++;
        root = this.expr(']');
        this.expect(']');
      }
    }
    for (;;) {
      const t = this.peek();
      if (t?.t === 'op' && t.v === '^' && name !== 'sqrt') {
        this.pos++;
        exponent = this.power();
      } else if (t?.t === 'op' && t.v === '_' && name === 'log') {
        this.pos++;
        base = this.argument();
      } else break;
    }
    const t = this.peek();
    let arg: string;
    if (t?.t === 'open') {
      this.pos++;
      arg = `(${this.expr(t.v === '{' ? '}' : ')]')})`;
      this.next();
    } else {
      // An undelimited argument runs over the following product of atoms: \sin 2x is sin(2x).
      const parts: string[] = [];
      for (
        let u = this.peek();
        u && (u.t === 'num' || u.t === 'id' || (u.t === 'cmd' && (u.v === 'pi' || u.v === 'frac' || GREEK.has(u.v))));
        u = this.peek()
      ) {
        parts.push(this.atom());
        if (name === 'sqrt') break;
      }
      if (parts.length === 0) throw new ConvertError(`${name} without argument`);
      arg = `(${parts.join(' * ')})`;
    }
    let call: string;
    if (name === 'sqrt') call = root ? `nthRoot(${arg}, ${root})` : `sqrt(${arg})`;
    else if (name === 'log' && base) call = `log(${arg}, ${base})`;
    else call = `${FUNCTION_MAP[name]}(${arg})`;
    return exponent ? `(${call})^(${exponent})` : call;
  }

  done(): boolean {
    return this.pos >= this.tokens.length;
  }
}

/** A leaf converted for mathjs, with its free variables (renamed as emitted). */
export interface Converted {
  expression: string;
  variables: string[];
}

/** Converts one leaf value (no top-level commas, `=` or `\pm`: the structure parser has split those off). */
export function latexToMathjs(latex: string): Converted | null {
  if (latex.length > MAX_LEAF_CHARS) return null;
  try {
    const src = latex
      .replace(/\\rfloor|\\rceil/g, ')')
      .replace(/\\lfloor/g, '\\lfloor(')
      .replace(/\\lceil/g, '\\lceil(');
    const emitter = new Emitter(tokenize(src));
    const expression = emitter.expr('');
    if (!emitter.done()) return null;
    return { expression, variables: [...emitter.variables].sort() };
  } catch {
    return null;
  }
}
