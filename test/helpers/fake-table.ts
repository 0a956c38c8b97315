import { PutCommandInput, QueryCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;

/**
 * An in-memory table that understands the expressions our handlers use: conditions built from
 * `attribute_not_exists(x)`, `#a = :v` and `OR`, and `SET x = :v, y = if_not_exists(y, :w)`.
 * Anything else throws, so a handler change that this fake cannot honour fails loudly.
 */
export class FakeTable {
  public readonly items = new Map<string, Item>();

  constructor(private readonly key = 'inferenceId') {}

  put(input: PutCommandInput): Record<string, never> {
    const item = input.Item as Item;
    const id = String(item[this.key]);
    this.check(input.ConditionExpression, this.items.get(id), input.ExpressionAttributeNames, input.ExpressionAttributeValues);
    this.items.set(id, { ...item });
    return {};
  }

  update(input: UpdateCommandInput): { Attributes?: Item } {
    const id = String((input.Key as Item)[this.key]);
    const old = this.items.get(id);
    this.check(input.ConditionExpression, old, input.ExpressionAttributeNames, input.ExpressionAttributeValues);
    const names = input.ExpressionAttributeNames ?? {};
    const values = input.ExpressionAttributeValues ?? {};
    const item: Item = { ...(old ?? { [this.key]: id }) };
    const match = /^SET (.+)$/.exec(input.UpdateExpression ?? '');
    if (!match) throw new Error(`FakeTable: unsupported update ${input.UpdateExpression}`);
    for (const assignment of match[1].split(/,\s*(?![^(]*\))/)) {
      const [lhs, rhs] = assignment.split(/\s*=\s*/, 2);
      const attribute = names[lhs] ?? lhs;
      const ifNotExists = /^if_not_exists\((\S+), (:\w+)\)$/.exec(rhs);
      if (ifNotExists) {
        if (item[attribute] === undefined) item[attribute] = values[ifNotExists[2]];
      } else if (/^:\w+$/.test(rhs)) {
        item[attribute] = values[rhs];
      } else {
        throw new Error(`FakeTable: unsupported assignment ${assignment}`);
      }
    }
    this.items.set(id, item);
    return { Attributes: old };
  }

  /** The byDay index query the sweeper makes: `#day = :day AND statusAt BETWEEN :from AND :to`. */
  query(input: QueryCommandInput): { Items: Item[] } {
    if (input.KeyConditionExpression !== '#day = :day AND statusAt BETWEEN :from AND :to') {
      throw new Error(`FakeTable: unsupported query ${input.KeyConditionExpression}`);
    }
    const v = input.ExpressionAttributeValues ?? {};
    const items = [...this.items.values()].filter(
      (i) => i.day === v[':day'] && String(i.statusAt) >= String(v[':from']) && String(i.statusAt) <= String(v[':to']),
    );
    return { Items: items.map((i) => ({ ...i })) };
  }

  private check(condition: string | undefined, item: Item | undefined, names: Record<string, string> = {}, values: Record<string, unknown> = {}): void {
    if (!condition) return;
    const holds = condition.split(' OR ').some((alternative) =>
      alternative
        .trim()
        .replace(/^\((.*)\)$/, '$1')
        .split(' AND ')
        .every((term) => {
          const operand = (o: string) => (o.startsWith(':') ? values[o] : item?.[names[o] ?? o]);
          const notExists = /^attribute_not_exists\((#?\w+)\)$/.exec(term.trim());
          if (notExists) return operand(notExists[1]) === undefined;
          const compare = /^([#:]?\w+) (=|<>) ([#:]?\w+)$/.exec(term.trim());
          if (compare) {
            const [left, right] = [operand(compare[1]), operand(compare[3])];
            // DynamoDB: a comparison with a missing attribute is false, whichever the operator.
            if (left === undefined || right === undefined) return false;
            return compare[2] === '=' ? left === right : left !== right;
          }
          throw new Error(`FakeTable: unsupported condition ${term}`);
        }),
    );
    if (!holds) throw Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
  }
}
