import type { NumericArray } from './input';

/** Row indices ordered by ascending value; ties keep row order (stable). */
export function ascendingOrder(values: NumericArray): Uint32Array {
  const order = new Uint32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  // TypedArray#sort is stable in ES2019+, so equal values keep row order.
  return order.sort((a, b) => values[a] - values[b]);
}

/**
 * Mid-ranks (1-based; tied values all get the average of the ranks they
 * span), in O(n log n). `subset`, when given, ranks only those rows and
 * returns ranks in subset order.
 */
export function midranks(values: NumericArray, subset?: Uint32Array): Float64Array {
  const rows = subset ?? identity(values.length);
  const local = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) local[i] = values[rows[i]];
  const order = ascendingOrder(local);
  const ranks = new Float64Array(rows.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && local[order[j + 1]] === local[order[i]]) j++;
    // Positions i..j (0-based) hold ranks i+1..j+1; their mean is (i+j)/2 + 1.
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

function identity(n: number): Uint32Array {
  const rows = new Uint32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}
