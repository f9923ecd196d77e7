#!/usr/bin/env python3
"""Mechanical import rewrite of ADR 0012 (errors in protocol, one ErrorCode).

Re-runnable after a merge: `python3 scripts/codemod-0012-error-imports.py && npx prettier --write
$(git diff --name-only -- '*.ts' '*.tsx')`. It
  * rewrites ContentErrorCode / DistributionErrorCode / DeploymentErrorCode / PhasedErrorCode /
    SoftwareErrorCode to ErrorCode and drops the imports of the files that only re-exported it;
  * moves imports of the error classes from `.../http/errors.js` to `@steward/protocol`;
  * deletes the re-export files and the transitional aliases.
"""
import os
import re
import subprocess

ALIASES = ['ContentErrorCode', 'DistributionErrorCode', 'DeploymentErrorCode', 'PhasedErrorCode',
           'SoftwareErrorCode']
CLASSES = {'AppError', 'InputError', 'NotFoundError', 'ConflictError', 'NotAllowedError',
           'UnauthenticatedError', 'UnavailableError', 'RateLimitedError'}
CODE_FILES = ['packages/server/src/content/codes.ts', 'packages/server/src/distribution/codes.ts',
              'packages/server/src/deployments/codes.ts',
              'packages/server/src/deployments/phased/codes.ts']
IMPORT = re.compile(r"^import\s+(type\s+)?\{([^}]*)\}\s+from\s+'([^']+)';\n", re.M)


def specs(block, all_type):
    out = []
    for raw in block.split(','):
        raw = raw.strip()
        if not raw:
            continue
        is_type = all_type or raw.startswith('type ')
        out.append((raw[5:].strip() if raw.startswith('type ') else raw, is_type))
    return out


def rewrite(path):
    text = open(path).read()
    moved = []  # (name, is_type)
    local_aliases = []
    def visit(m):
        all_type, block, source = bool(m.group(1)), m.group(2), m.group(3)
        if re.search(r'(^|/)(content|distribution|deployments|phased)/codes\.js$', source) or \
                source in ('./codes.js', '../codes.js'):
            for name, t in specs(block, all_type):
                moved.append(('ErrorCode', t))
                if ' as ' in name:  # `DeploymentErrorCode as Code`: use the one name instead
                    local_aliases.append(name.split(' as ')[1].strip())
            return ''
        if source.endswith('http/errors.js') or (source == './errors.js' and '/http/' in path):
            keep = []
            for name, t in specs(block, all_type):
                (moved if name in CLASSES else keep).append((name, t))
            if not keep:
                return ''
            inner = ', '.join(('type ' if t and not all_type else '') + n for n, t in keep)
            return f"import {'type ' if all_type else ''}{{ {inner} }} from '{source}';\n"
        return m.group(0)
    new = IMPORT.sub(visit, text)
    for alias in local_aliases:
        new = re.sub(r'(?<![.\'"])\b' + alias + r'\b', 'ErrorCode', new)
    for alias in ALIASES:
        if re.search(r'\b' + alias + r'\b', new):
            new = re.sub(r'\b' + alias + r'\b', 'ErrorCode', new)
            moved.append(('ErrorCode', False))
    if not moved and new == text:
        return False
    if moved:
        wanted = {}
        for name, t in moved:
            wanted[name] = wanted.get(name, True) and t
        proto = None
        for m in IMPORT.finditer(new):
            if m.group(3) == '@steward/protocol' and not m.group(1):
                proto = m
                break
        if proto:
            have = specs(proto.group(2), False)
            names = {n: t for n, t in have}
            for n, t in wanted.items():
                names[n] = names.get(n, True) and t
            inner = ', '.join(('type ' if t else '') + n for n, t in names.items())
            new = new[:proto.start()] + f"import {{ {inner} }} from '@steward/protocol';\n" + \
                new[proto.end():]
        else:
            inner = ', '.join(('type ' if t else '') + n for n, t in wanted.items())
            first = IMPORT.search(new) or re.search(r'^import ', new, re.M)
            at = first.start() if first else 0
            new = new[:at] + f"import {{ {inner} }} from '@steward/protocol';\n" + new[at:]
    # A file that imported `type ErrorCode` and now needs the value too keeps one specifier.
    new = re.sub(r"\btype ErrorCode, (.*)\bErrorCode\b", r"\1ErrorCode", new)
    open(path, 'w').write(new)
    return True


def main():
    for f in CODE_FILES:
        if os.path.exists(f):
            os.remove(f)
    files = subprocess.run(['git', 'ls-files', 'packages/*.ts', 'packages/*.tsx'], check=True,
                           capture_output=True, text=True).stdout.split()
    for f in files:
        if os.path.exists(f) and not f.endswith('protocol/src/errors.ts'):
            rewrite(f)
    # The transitional aliases.
    p = 'packages/protocol/src/errors.ts'
    s = open(p).read()
    s = re.sub(r"/\*\* @deprecated Transitional alias[^\n]*\n(export const SoftwareErrorCode = ErrorCode;\n)", '', s)
    open(p, 'w').write(s)
    p = 'packages/server/src/http/errors.ts'
    s = open(p).read()
    s = re.sub(r"// Transitional: the classes live in protocol[^\n]*\nexport \{[^}]*\};\n\n", '', s)
    s = re.sub(r"import \{[^}]*\} from '@steward/protocol';",
               "import { AppError, ErrorCode, RateLimitedError, type ErrorBody } from '@steward/protocol';",
               s, count=1)
    open(p, 'w').write(s)


main()
