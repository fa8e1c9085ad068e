import { packNew, packOnto } from '../../../shared/capacity/bin-pack';
import { M5_4XLARGE, M5_LARGE, M5_XLARGE } from './fixtures';

const items = (source: string, count: number, cpu: number, memory: number) =>
  Array.from({ length: count }, () => ({ source, cpu, memory }));

describe('packOnto (first-fit decreasing onto free room)', () => {
  it('places the largest tasks first so small ones fill the gaps', () => {
    const left = packOnto(
      [...items('s', 2, 512, 512), ...items('b', 1, 1536, 512)],
      [
        { id: 'i-1', cpu: 2048, memory: 4096 },
        { id: 'i-2', cpu: 512, memory: 4096 },
      ],
    );
    expect(left).toEqual([]);
  });

  it('returns what does not fit, and leaves the rooms it was given unchanged', () => {
    const rooms = [{ id: 'i-1', cpu: 1024, memory: 1024 }];
    expect(packOnto(items('s', 3, 512, 512), rooms)).toEqual(items('s', 1, 512, 512));
    expect(rooms).toEqual([{ id: 'i-1', cpu: 1024, memory: 1024 }]);
  });

  it('needs both CPU and memory to fit', () => {
    expect(packOnto(items('s', 1, 256, 2048), [{ id: 'i-1', cpu: 2048, memory: 1024 }])).toHaveLength(1);
  });
});

describe('packNew (first-fit decreasing onto the backend shapes, weights respected)', () => {
  const cases = [
    { name: 'fills one shape before opening the next', items: items('web', 5, 512, 1024), shapes: [M5_LARGE], units: 2, opened: 2 },
    {
      name: 'opens the lowest-weight shape that holds the task',
      items: items('api', 2, 1024, 2048),
      shapes: [M5_XLARGE, M5_LARGE],
      units: 1,
      opened: 1,
    },
    {
      name: 'opens a heavier shape only for a task the lighter ones cannot hold',
      items: items('big', 1, 3000, 2048),
      shapes: [M5_LARGE, M5_XLARGE],
      units: 2,
      opened: 1,
    },
    {
      name: 'counts weight per instance, not instances',
      items: items('render', 5, 4096, 8192),
      shapes: [M5_LARGE, M5_4XLARGE],
      units: 16,
      opened: 2,
    },
    {
      name: 'lets small tasks share the room a heavy shape was opened for',
      items: [...items('big', 1, 3000, 2048), ...items('s', 4, 256, 512)],
      shapes: [M5_LARGE, M5_XLARGE],
      units: 2,
      opened: 1,
    },
  ];
  it.each(cases)('$name', ({ items: xs, shapes, units, opened }) => {
    const r = packNew(xs, shapes);
    expect({ units: r.units, opened: r.instances.length, unplaceable: r.unplaceable }).toEqual({ units, opened, unplaceable: [] });
  });

  it('reports a task larger than every shape as unplaceable, never drops it', () => {
    const r = packNew(
      [...items('huge', 2, 32768, 1024), ...items('web', 1, 256, 512), ...items('fat', 1, 256, 100_000)],
      [M5_LARGE, M5_4XLARGE],
    );
    expect(r.units).toBe(1);
    expect(r.unplaceable.map((x) => x.source).sort()).toEqual(['fat', 'huge', 'huge']);
  });

  it('with no shapes, every task is unplaceable', () => {
    expect(packNew(items('web', 2, 256, 512), [])).toEqual({ units: 0, instances: [], unplaceable: items('web', 2, 256, 512) });
  });
});
