import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/**
 * Which AWS API calls a Lambda bundle can make, read from the code that went into it.
 *
 * The esbuild metafile names every source file with bytes in the bundle. In each of ours
 * (functions/, shared/), every `new XxxCommand(…)` and `paginateXxx(…)` whose name is imported
 * from an `@aws-sdk/client-*` package is a call that bundle can send. A call counts only when
 * the function or method holding it is reachable: named from module-level code, or from a
 * function or method that is itself reachable (by name, across all the bundle's files — a
 * conservative over-approximation). So a handler that uses one method of a shared adapter is
 * not granted what the adapter's other methods send.
 */

/** IAM service prefix of each SDK client package (Service Authorization Reference, "service prefix"). */
export const IAM_PREFIX: Record<string, string> = {
  '@aws-sdk/client-athena': 'athena',
  '@aws-sdk/client-auto-scaling': 'autoscaling',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-elastic-load-balancing-v2': 'elasticloadbalancing',
  '@aws-sdk/client-glue': 'glue',
  '@aws-sdk/client-kms': 'kms',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-sqs': 'sqs',
};

/**
 * API operations whose IAM action has another name. Empty today; e.g. S3 ListObjectsV2 is
 * authorised by s3:ListBucket (Service Authorization Reference, Amazon S3, "ListBucket").
 */
export const ACTION_FOR_OPERATION: Record<string, string> = {
  's3:ListObjectsV2': 's3:ListBucket',
};

export interface SentCall {
  /** IAM action, e.g. `ecs:StopTask`. */
  action: string;
  /** Where it is sent from: `shared/aws/ecs-tasks.ts EcsTasks.stop`. */
  from: string;
}

interface Unit {
  /** The name other code calls it by (function, method or const name); undefined = module-level code. */
  name?: string;
  where: string;
  refs: Set<string>;
  calls: SentCall[];
}

/** Calls a bundle can send, from its metafile (paths relative to `root`). */
export function callsInBundle(metafilePath: string, root: string): SentCall[] {
  const meta = JSON.parse(readFileSync(metafilePath, 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const ours = new Set<string>();
  for (const output of Object.values(meta.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      if (input.bytesInOutput > 0 && /^(functions|shared)\//.test(path) && path.endsWith('.ts')) ours.add(path);
    }
  }
  if (ours.size === 0)
    throw new Error(`${metafilePath}: no source files of ours in the bundle (paths not relative to the service directory?)`);
  return reachableCalls([...ours].sort().map((file) => ({ file, text: readFileSync(join(root, file), 'utf8') })));
}

/** The calls in reachable units of these files (module-level code is always reachable). */
export function reachableCalls(files: Array<{ file: string; text: string }>): SentCall[] {
  const units = files.flatMap(({ file, text }) => unitsOf(file, text));
  const live = new Set<string>();
  const queue = units.filter((u) => u.name === undefined);
  const done = new Set<Unit>();
  while (queue.length > 0) {
    const unit = queue.pop()!;
    if (done.has(unit)) continue;
    done.add(unit);
    for (const ref of unit.refs) {
      if (live.has(ref)) continue;
      live.add(ref);
      queue.push(...units.filter((u) => u.name === ref && !done.has(u)));
    }
  }
  const calls = [...done].flatMap((u) => u.calls);
  return [...new Map(calls.map((c) => [`${c.action} ${c.from}`, c])).values()].sort(
    (a, b) => a.action.localeCompare(b.action) || a.from.localeCompare(b.from),
  );
}

function unitsOf(file: string, text: string): Unit[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  /** Local name → SDK package, for names imported from a client package (and namespace imports). */
  const imported = new Map<string, { pkg: string; name: string }>();
  const namespaces = new Map<string, string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const pkg = statement.moduleSpecifier.text;
    if (!pkg.startsWith('@aws-sdk/client-')) continue;
    const bindings = statement.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) {
      for (const el of bindings.elements) imported.set(el.name.text, { pkg, name: (el.propertyName ?? el.name).text });
    } else if (bindings && ts.isNamespaceImport(bindings)) {
      namespaces.set(bindings.name.text, pkg);
    }
  }

  const units: Unit[] = [];
  const scan = (node: ts.Node, name: string | undefined, where: string, own?: ts.Node) => {
    const unit: Unit = { ...(name !== undefined ? { name } : {}), where, refs: new Set(), calls: [] };
    const visit = (n: ts.Node) => {
      if (ts.isIdentifier(n) && n !== own) unit.refs.add(n.text);
      if (ts.isPrivateIdentifier(n)) unit.refs.add(n.text);
      const call = ts.isNewExpression(n) ? sdkName(n.expression) : ts.isCallExpression(n) ? sdkName(n.expression) : undefined;
      if (call) {
        const op = ts.isNewExpression(n) ? /^(.+)Command$/.exec(call.name)?.[1] : /^paginate(.+)$/.exec(call.name)?.[1];
        if (op) {
          const prefix = IAM_PREFIX[call.pkg];
          if (!prefix)
            throw new Error(
              `${file}: ${call.name} comes from ${call.pkg}; add its IAM service prefix to IAM_PREFIX in test/contract/bundle-commands.ts`,
            );
          const action = `${prefix}:${op}`;
          unit.calls.push({ action: ACTION_FOR_OPERATION[action] ?? action, from: `${file} ${where}` });
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(node);
    units.push(unit);
  };
  const sdkName = (expr: ts.Expression): { pkg: string; name: string } | undefined => {
    if (ts.isIdentifier(expr)) return imported.get(expr.text);
    if (ts.isPropertyAccessExpression(expr) && ts.isIdentifier(expr.expression)) {
      const pkg = namespaces.get(expr.expression.text);
      return pkg ? { pkg, name: expr.name.text } : undefined;
    }
    return undefined;
  };
  const isFunctionLike = (e: ts.Expression | undefined) => !!e && (ts.isArrowFunction(e) || ts.isFunctionExpression(e));
  // What a handler file exports is what the Lambda runtime calls: always reachable.
  const entry = file.startsWith('functions/');
  const exported = (s: ts.Statement) =>
    entry && !!ts.getModifiers(s as ts.HasModifiers)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) continue;
    if (ts.isFunctionDeclaration(statement) && statement.name) {
      scan(statement, exported(statement) ? undefined : statement.name.text, `${statement.name.text}()`, statement.name);
    } else if (ts.isClassDeclaration(statement)) {
      const cls = statement.name?.text ?? '(class)';
      for (const member of statement.members) {
        const memberName =
          member.name && (ts.isIdentifier(member.name) || ts.isPrivateIdentifier(member.name) || ts.isStringLiteral(member.name))
            ? member.name.text
            : undefined;
        if ((ts.isMethodDeclaration(member) || ts.isGetAccessor(member) || ts.isSetAccessor(member)) && memberName) {
          scan(member, memberName, `${cls}.${memberName}`, member.name);
        } else {
          // Constructor, fields and static blocks run when the class is used: reachable by the class name.
          scan(member, cls, `${cls} (construction)`, member.name);
        }
      }
      // Heritage clauses and decorators are module-level code.
      for (const clause of statement.heritageClauses ?? []) scan(clause, undefined, `${cls} extends`);
    } else if (ts.isVariableStatement(statement)) {
      for (const decl of statement.declarationList.declarations) {
        if (ts.isIdentifier(decl.name) && isFunctionLike(decl.initializer) && !exported(statement))
          scan(decl.initializer!, decl.name.text, `${decl.name.text}()`);
        else scan(decl, undefined, 'module');
      }
    } else {
      scan(statement, undefined, 'module');
    }
  }
  return units;
}
