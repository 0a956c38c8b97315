import { buildTestApp } from './helpers/app';

/** Asset hashes change with every dependency bump; they are not what this snapshot guards. */
function normalise(template: unknown): unknown {
  return JSON.parse(JSON.stringify(template).replace(/[a-f0-9]{64}(\.zip|\.json)?/g, '[HASH REMOVED]$1'));
}

test('whole-app template (drift guard; behaviour is asserted in the fine-grained tests)', () => {
  expect(normalise(buildTestApp().template.toJSON())).toMatchSnapshot();
});

test('two synths of the same configuration produce identical templates', () => {
  const first = JSON.stringify(buildTestApp({ alarmEmails: 'a@example.com' }).template.toJSON());
  const second = JSON.stringify(buildTestApp({ alarmEmails: 'a@example.com' }).template.toJSON());
  expect(second).toBe(first);
  expect(first.length).toBeGreaterThan(10000);
});
