import { baseId, render, rolePermissions, Template } from './render';

/**
 * The architecture as a Mermaid flowchart, read from the synthesized template (not drawn by hand,
 * so it cannot drift): every bucket, queue, topic, table, function, model and endpoint, and the
 * paths data takes between them, each found in the template itself (event rules and their
 * targets, event source mappings, subscriptions, the endpoint's notification and output settings,
 * the model's data source, and the functions' permissions to call the endpoint or write the table).
 */
const SHAPES: Record<string, [string, string]> = {
  'AWS::S3::Bucket': ['[(', ')]'],
  'AWS::SQS::Queue': ['[[', ']]'],
  'AWS::SNS::Topic': ['>', ']'],
  'AWS::DynamoDB::Table': ['[(', ')]'],
  'AWS::Lambda::Function': ['(', ')'],
  'AWS::SageMaker::Model': ['[/', '/]'],
  'AWS::SageMaker::Endpoint': ['{{', '}}'],
  'AWS::Events::Rule': ['([', '])'],
};

const LABELS: Record<string, string> = {
  'AWS::S3::Bucket': 'S3',
  'AWS::SQS::Queue': 'SQS',
  'AWS::SNS::Topic': 'SNS',
  'AWS::DynamoDB::Table': 'DynamoDB',
  'AWS::Lambda::Function': 'Lambda',
  'AWS::SageMaker::Model': 'SageMaker model',
  'AWS::SageMaker::Endpoint': 'async endpoint',
  'AWS::Events::Rule': 'EventBridge',
};

/** Resource ids a CloudFormation value refers to (Ref and Fn::GetAtt, at any depth). */
function referencesIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencesIn);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.Ref === 'string') return [o.Ref];
    if (Array.isArray(o['Fn::GetAtt'])) return [String(o['Fn::GetAtt'][0])];
    return Object.values(o).flatMap(referencesIn);
  }
  return [];
}

export function architectureDiagram(template: Template): string {
  const resources = template.Resources;
  const shown = Object.entries(resources).filter(([id, r]) => SHAPES[r.Type] && !(r.Type === 'AWS::Lambda::Function' && isDeployTimeFunction(template, id)) && !/DeadLetter/.test(id) && !/AccessLogs/.test(id));
  const ids = new Set(shown.map(([id]) => id));
  const node = (id: string) => baseId(id);
  const lines = ['flowchart LR'];
  for (const [id, r] of shown.sort(([a], [b]) => a.localeCompare(b))) {
    const [open, close] = SHAPES[r.Type];
    lines.push(`  ${node(id)}${open}"${baseId(id)}<br/>${LABELS[r.Type]}"${close}`);
  }
  const edges = new Set<string>();
  const edge = (from: string, to: string, label: string) => {
    if (ids.has(from) && ids.has(to)) edges.add(`  ${node(from)} -->|${label}| ${node(to)}`);
  };
  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::Events::Rule') {
      const sources = referencesIn(p.EventPattern);
      for (const s of sources) edge(s, id, 'object created');
      for (const t of p.Targets ?? []) for (const target of referencesIn(t.Arn)) edge(id, target, p.ScheduleExpression ? `every ${String(p.ScheduleExpression).replace(/^rate\((.*)\)$/, '$1')}` : 'event');
    }
    if (r.Type === 'AWS::Lambda::EventSourceMapping') for (const q of referencesIn(p.EventSourceArn)) for (const f of referencesIn(p.FunctionName)) edge(q, f, 'batches');
    if (r.Type === 'AWS::SNS::Subscription' && p.Protocol === 'sqs') for (const t of referencesIn(p.TopicArn)) for (const q of referencesIn(p.Endpoint)) edge(t, q, 'raw delivery');
    if (r.Type === 'AWS::SageMaker::EndpointConfig') {
      const endpoints = Object.entries(resources).filter(([, e]) => e.Type === 'AWS::SageMaker::Endpoint' && referencesIn(e.Properties?.EndpointConfigName).includes(id)).map(([e]) => e);
      const notify = p.AsyncInferenceConfig?.OutputConfig?.NotificationConfig ?? {};
      for (const e of endpoints) {
        for (const m of referencesIn(p.ProductionVariants)) edge(m, e, 'serves');
        for (const t of referencesIn(notify.SuccessTopic)) edge(e, t, 'success');
        for (const t of referencesIn(notify.ErrorTopic)) edge(e, t, 'error');
        for (const b of referencesIn(p.AsyncInferenceConfig?.OutputConfig?.S3OutputPath)) edge(e, b, 'results');
      }
    }
    if (r.Type === 'AWS::SageMaker::Model') for (const b of referencesIn(p.PrimaryContainer?.ModelDataSource ?? p.PrimaryContainer?.ModelDataUrl)) edge(b, id, 'model data');
  }
  // What each function may call, from its role (render.ts): the endpoint it submits to, the table it writes.
  const permissions = rolePermissions(template);
  for (const [fnId, fn] of Object.entries(resources)) {
    if (fn.Type !== 'AWS::Lambda::Function' || !ids.has(fnId)) continue;
    const role = referencesIn(fn.Properties?.Role)[0];
    for (const line of permissions.get(baseId(role ?? '')) ?? []) {
      const target = /\{(\w+?)(?:\.Arn)?\}$/.exec(line.split(' on ')[1]?.split(' when ')[0] ?? '')?.[1];
      const full = target && [...ids].find((i) => baseId(i) === target);
      if (!full) continue;
      if (line.startsWith('Allow sagemaker:InvokeEndpointAsync')) edge(fnId, full, 'InvokeEndpointAsync');
      if (line.startsWith('Allow dynamodb:PutItem') || line.startsWith('Allow dynamodb:UpdateItem')) edge(fnId, full, 'records');
    }
  }
  const emails = Object.values(resources).filter((r) => r.Type === 'AWS::SNS::Subscription' && r.Properties?.Protocol === 'email').length;
  const alarms = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').length;
  return [...lines, ...[...edges].sort(), `  %% ${alarms} CloudWatch alarms notify the operations topic; ${emails} e-mail subscriptions.`].join('\n');
}

/** A custom resource's function (it runs during deployments, not on the data path). */
function isDeployTimeFunction(template: Template, functionId: string): boolean {
  return Object.values(template.Resources).some((r) => r.Type.startsWith('Custom::') && render(r.Properties?.ServiceToken).startsWith(`{${baseId(functionId)}.`));
}
