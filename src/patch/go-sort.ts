/**
 * Go's sort.SliceStable, step for step (insertion-sorted blocks of 20, then SymMerge).
 * Strategic merge patch orders lists with a comparator that is not a strict weak order in
 * corner cases; reproducing Go's algorithm keeps those results identical to upstream's.
 */
class StableSorter<T> {
  constructor(private readonly data: T[], private readonly less: (a: T, b: T) => boolean) {}

  private lessAt(i: number, j: number): boolean {
    return this.less(this.data[i], this.data[j]);
  }

  private swap(i: number, j: number): void {
    [this.data[i], this.data[j]] = [this.data[j], this.data[i]];
  }

  private swapRange(a: number, b: number, n: number): void {
    for (let i = 0; i < n; i++) this.swap(a + i, b + i);
  }

  private insertionSort(a: number, b: number): void {
    for (let i = a + 1; i < b; i++) {
      for (let j = i; j > a && this.lessAt(j, j - 1); j--) this.swap(j, j - 1);
    }
  }

  private rotate(a: number, m: number, b: number): void {
    let i = m - a;
    let j = b - m;
    while (i !== j) {
      if (i > j) {
        this.swapRange(m - i, m, j);
        i -= j;
      } else {
        this.swapRange(m - i, m + j - i, i);
        j -= i;
      }
    }
    this.swapRange(m - i, m, i);
  }

  /** Inserts data[a] into the sorted run data[m:b]. */
  private insertFirst(a: number, m: number, b: number): void {
    let i = m;
    let j = b;
    while (i < j) {
      const h = (i + j) >>> 1;
      if (this.lessAt(h, a)) i = h + 1;
      else j = h;
    }
    for (let k = a; k < i - 1; k++) this.swap(k, k + 1);
  }

  /** Inserts data[m] into the sorted run data[a:m]. */
  private insertLast(a: number, m: number): void {
    let i = a;
    let j = m;
    while (i < j) {
      const h = (i + j) >>> 1;
      if (!this.lessAt(m, h)) i = h + 1;
      else j = h;
    }
    for (let k = m; k > i; k--) this.swap(k, k - 1);
  }

  private symMerge(a: number, m: number, b: number): void {
    if (m - a === 1) return this.insertFirst(a, m, b);
    if (b - m === 1) return this.insertLast(a, m);
    const mid = (a + b) >>> 1;
    const n = mid + m;
    let start = m > mid ? n - b : a;
    let r = m > mid ? mid : m;
    const p = n - 1;
    while (start < r) {
      const c = (start + r) >>> 1;
      if (!this.lessAt(p - c, c)) start = c + 1;
      else r = c;
    }
    const end = n - start;
    if (start < m && m < end) this.rotate(start, m, end);
    if (a < start && start < mid) this.symMerge(a, start, mid);
    if (mid < end && end < b) this.symMerge(mid, end, b);
  }

  sort(): void {
    const n = this.data.length;
    let blockSize = 20;
    let a = 0;
    let b = blockSize;
    for (; b <= n; a = b, b += blockSize) this.insertionSort(a, b);
    this.insertionSort(a, n);
    for (; blockSize < n; blockSize *= 2) {
      a = 0;
      b = 2 * blockSize;
      for (; b <= n; a = b, b += 2 * blockSize) this.symMerge(a, a + blockSize, b);
      if (a + blockSize < n) this.symMerge(a, a + blockSize, n);
    }
  }
}

/** Sorts `data` in place exactly as Go's `sort.SliceStable(data, less)` would. */
export function goSliceStable<T>(data: T[], less: (a: T, b: T) => boolean): void {
  new StableSorter(data, less).sort();
}
