/**
 * Linux 6.1's LRU lists for the LRU hash maps (kernel/bpf/bpf_lru_list.c), node for node: the common LRU
 * (one global active/inactive/free list plus a local free and pending list per CPU, refilled in batches of
 * LOCAL_FREE_TARGET and stolen from other CPUs in turn) and the per-CPU LRU of BPF_F_NO_COMMON_LRU (one
 * list per CPU, shrunk PERCPU_FREE_TARGET nodes at a time). Lists are circular and doubly linked with a
 * head, like `struct list_head`, because the kernel's walks (the safe reverse iterations, the inactive
 * rotation cursor that may rest on a list head) depend on exactly where nodes are moved.
 *
 * The map owns `max_entries` nodes (bpf_lru_populate); an element holds one while it is in the map.
 * `popFree` hands out a node, evicting elements through `delFromHtab` when it must; `pushFree` takes one
 * back (element deleted or replaced, or an update that failed its flags check).
 */

const LOCAL_FREE_TARGET = 128;
const LOCAL_NR_SCANS = LOCAL_FREE_TARGET;
const PERCPU_FREE_TARGET = 4;
const PERCPU_NR_SCANS = PERCPU_FREE_TARGET;

/** enum bpf_lru_list_type. */
const enum LruListType {
  ACTIVE = 0,
  INACTIVE = 1,
  FREE = 2,
  LOCAL_FREE = 3,
  LOCAL_PENDING = 4,
}
const NR_BPF_LRU_LIST_COUNT = 2;
const isLocal = (t: LruListType): boolean => t >= LruListType.LOCAL_FREE;

/** struct list_head. */
interface ListHead {
  prev: ListHead;
  next: ListHead;
}

/** struct bpf_lru_node; `key` names the element holding it (the hash table's slot). */
export interface LruNode extends ListHead {
  cpu: number;
  type: LruListType;
  ref: boolean;
  key: number | null;
}

function listHead(): ListHead {
  const h = {} as ListHead;
  h.prev = h;
  h.next = h;
  return h;
}

function listDel(e: ListHead): void {
  e.prev.next = e.next;
  e.next.prev = e.prev;
}

/** list_add: right after `head`. */
function listAdd(e: ListHead, head: ListHead): void {
  const next = head.next;
  next.prev = e;
  e.next = next;
  e.prev = head;
  head.next = e;
}

function listMove(e: ListHead, head: ListHead): void {
  listDel(e);
  listAdd(e, head);
}

const listEmpty = (head: ListHead): boolean => head.next === head;

/** struct bpf_lru_list. */
class LruList {
  readonly lists: [ListHead, ListHead, ListHead] = [listHead(), listHead(), listHead()];
  readonly counts = [0, 0];
  /** The next inactive rotation starts from here (a node or the inactive list's head). */
  nextInactiveRotation: ListHead = this.lists[LruListType.INACTIVE];
  /**
   * Populated nodes never used yet: they sit, unmade, at the tail of the free list (every node that
   * comes back goes to its head), so a map of 2^31 entries costs nothing until it fills.
   */
  unmade = 0;
}

/** struct bpf_lru_locallist. */
class LocalList {
  readonly free = listHead();
  readonly pending = listHead();
  nextSteal: number;

  constructor(cpu: number) {
    this.nextSteal = cpu;
  }
}

/** Removes the element holding a node from the hash table; false when it is not there (htab_lru_map_delete_node). */
export type DelFromHtab = (node: LruNode) => boolean;

/** struct bpf_lru: common or per-CPU. */
export class BpfLru {
  readonly percpu: boolean;
  readonly nrCpus: number;
  private readonly nrScans: number;
  private readonly delFromHtab: DelFromHtab;
  /** Common LRU: the global list and the CPUs' local lists. */
  private readonly global: LruList;
  private readonly local: LocalList[];
  /** Per-CPU LRU: one list per CPU. */
  private readonly percpuLists: LruList[];

  constructor(percpu: boolean, nrCpus: number, delFromHtab: DelFromHtab) {
    this.percpu = percpu;
    this.nrCpus = nrCpus;
    this.delFromHtab = delFromHtab;
    this.nrScans = percpu ? PERCPU_NR_SCANS : LOCAL_NR_SCANS;
    this.global = new LruList();
    this.local = percpu ? [] : Array.from({ length: nrCpus }, (_, cpu) => new LocalList(cpu));
    this.percpuLists = percpu ? Array.from({ length: nrCpus }, () => new LruList()) : [];
  }

  /** bpf_lru_populate: `n` fresh nodes on the free list(s), spread evenly over the CPUs for a per-CPU LRU. */
  populate(n: number): void {
    if (!this.percpu) {
      this.global.unmade += n;
      return;
    }
    // bpf_percpu_lru_populate: each CPU in turn takes nodes until their number is a multiple of
    // pcpu_entries (n / CPUs) or none is left.
    const pcpuEntries = Math.floor(n / this.nrCpus);
    this.percpuLists.forEach((l, cpu) => {
      l.unmade = pcpuEntries === 0 ? (cpu < n ? 1 : 0) : Math.max(0, Math.min(pcpuEntries, n - cpu * pcpuEntries));
    });
  }

  /** Make up to `max` of a list's unused nodes, at the tail of its free list. */
  private make(l: LruList, cpu: number, max: number): void {
    const free = l.lists[LruListType.FREE];
    for (; max > 0 && l.unmade > 0; max--, l.unmade--) listAdd(this.newNode(cpu), free.prev);
  }

  /** bpf_lru_pop_free on `cpu`: a node for a new element, or null (-ENOMEM). */
  popFree(cpu: number): LruNode | null {
    return this.percpu ? this.percpuPopFree(cpu) : this.commonPopFree(cpu);
  }

  /** bpf_lru_push_free: the node's element left the map. */
  pushFree(node: LruNode): void {
    node.key = null;
    if (this.percpu) {
      this.move(this.percpuLists[node.cpu]!, node, LruListType.FREE);
      return;
    }
    if (node.type === LruListType.FREE || node.type === LruListType.LOCAL_FREE) return; // WARN_ON_ONCE
    if (node.type === LruListType.LOCAL_PENDING) {
      node.type = LruListType.LOCAL_FREE;
      node.ref = false;
      listMove(node, this.local[node.cpu]!.free);
      return;
    }
    this.move(this.global, node, LruListType.FREE);
  }

  /** The nodes of each list, head first (for tests and debugging): per CPU for a per-CPU LRU. */
  snapshot(): { lists: Record<string, (number | null)[]>; counts: number[][] } {
    const walk = (h: ListHead): (number | null)[] => {
      const out: (number | null)[] = [];
      for (let e = h.next; e !== h; e = e.next) out.push((e as LruNode).key);
      return out;
    };
    const lists: Record<string, (number | null)[]> = {};
    const named = (l: LruList, pre: string): void => {
      lists[`${pre}active`] = walk(l.lists[LruListType.ACTIVE]);
      lists[`${pre}inactive`] = walk(l.lists[LruListType.INACTIVE]);
      lists[`${pre}free`] = walk(l.lists[LruListType.FREE]);
    };
    if (this.percpu) {
      this.percpuLists.forEach((l, cpu) => named(l, `cpu${cpu}.`));
      return { lists, counts: this.percpuLists.map((l) => [...l.counts]) };
    }
    named(this.global, '');
    this.local.forEach((loc, cpu) => {
      lists[`cpu${cpu}.free`] = walk(loc.free);
      lists[`cpu${cpu}.pending`] = walk(loc.pending);
    });
    return { lists, counts: [[...this.global.counts]] };
  }

  private newNode(cpu: number): LruNode {
    const n = { cpu, type: LruListType.FREE, ref: false, key: null } as unknown as LruNode;
    n.prev = n;
    n.next = n;
    return n;
  }

  // ---- list moves (bpf_lru_list.c's __bpf_lru_node_move*) ----

  private countInc(l: LruList, t: LruListType): void {
    if (t < NR_BPF_LRU_LIST_COUNT) l.counts[t]!++;
  }

  private countDec(l: LruList, t: LruListType): void {
    if (t < NR_BPF_LRU_LIST_COUNT) l.counts[t]!--;
  }

  /** __bpf_lru_node_move_to_free. */
  private moveToFree(l: LruList, node: LruNode, freeList: ListHead, tgt: LruListType): void {
    if (isLocal(node.type)) return;
    if (node === l.nextInactiveRotation) l.nextInactiveRotation = l.nextInactiveRotation.prev;
    this.countDec(l, node.type);
    node.type = tgt;
    listMove(node, freeList);
  }

  /** __bpf_lru_node_move_in: from a local list into the LRU list. */
  private moveIn(l: LruList, node: LruNode, tgt: LruListType): void {
    if (!isLocal(node.type) || isLocal(tgt)) return;
    this.countInc(l, tgt);
    node.type = tgt;
    node.ref = false;
    listMove(node, l.lists[tgt as 0 | 1 | 2]);
  }

  /** __bpf_lru_node_move: between or within the active, inactive and free lists. */
  private move(l: LruList, node: LruNode, tgt: LruListType): void {
    if (isLocal(node.type) || isLocal(tgt)) return;
    if (node.type !== tgt) {
      this.countDec(l, node.type);
      this.countInc(l, tgt);
      node.type = tgt;
    }
    node.ref = false;
    if (node === l.nextInactiveRotation) l.nextInactiveRotation = l.nextInactiveRotation.prev;
    listMove(node, l.lists[tgt as 0 | 1 | 2]);
  }

  // ---- rotation and shrinking ----

  /** __bpf_lru_list_rotate_active: from the tail, referenced nodes back to the head, the rest to inactive. */
  private rotateActive(l: LruList): void {
    const active = l.lists[LruListType.ACTIVE];
    const first = active.next;
    let i = 0;
    for (let node = active.prev, tmp = node.prev; node !== active; node = tmp, tmp = node.prev) {
      const n = node as LruNode;
      this.move(l, n, n.ref ? LruListType.ACTIVE : LruListType.INACTIVE);
      if (++i === this.nrScans || node === first) break;
    }
  }

  /** __bpf_lru_list_rotate_inactive: from the cursor towards the head, referenced nodes to active. */
  private rotateInactive(l: LruList): void {
    const inactive = l.lists[LruListType.INACTIVE];
    if (listEmpty(inactive)) return;
    let last = l.nextInactiveRotation.next;
    if (last === inactive) last = last.next;
    let cur = l.nextInactiveRotation;
    let next: ListHead = inactive;
    let i = 0;
    while (i < this.nrScans) {
      if (cur === inactive) {
        cur = cur.prev;
        continue;
      }
      const node = cur as LruNode;
      next = cur.prev;
      if (node.ref) this.move(l, node, LruListType.ACTIVE);
      if (cur === last) break;
      cur = next;
      i++;
    }
    l.nextInactiveRotation = next;
  }

  /** __bpf_lru_list_shrink_inactive: unreferenced nodes from the inactive tail to `freeList`. */
  private shrinkInactive(l: LruList, tgtNshrink: number, freeList: ListHead, tgtType: LruListType): number {
    const inactive = l.lists[LruListType.INACTIVE];
    let nshrinked = 0;
    let i = 0;
    for (let node = inactive.prev, tmp = node.prev; node !== inactive; node = tmp, tmp = node.prev) {
      const n = node as LruNode;
      if (n.ref) {
        this.move(l, n, LruListType.ACTIVE);
      } else if (this.delFromHtab(n)) {
        this.moveToFree(l, n, freeList, tgtType);
        if (++nshrinked === tgtNshrink) break;
      }
      if (++i === this.nrScans) break;
    }
    return nshrinked;
  }

  /** __bpf_lru_list_rotate. */
  private rotate(l: LruList): void {
    if (l.counts[LruListType.INACTIVE]! < l.counts[LruListType.ACTIVE]!) this.rotateActive(l);
    this.rotateInactive(l);
  }

  /** __bpf_lru_list_shrink: the inactive shrink, else one node forced from inactive (or active) ignoring refs. */
  private shrink(l: LruList, tgtNshrink: number, freeList: ListHead, tgtType: LruListType): number {
    const n = this.shrinkInactive(l, tgtNshrink, freeList, tgtType);
    if (n !== 0) return n;
    const inactive = l.lists[LruListType.INACTIVE];
    const force = listEmpty(inactive) ? l.lists[LruListType.ACTIVE] : inactive;
    for (let node = force.prev, tmp = node.prev; node !== force; node = tmp, tmp = node.prev) {
      if (this.delFromHtab(node as LruNode)) {
        this.moveToFree(l, node as LruNode, freeList, tgtType);
        return 1;
      }
    }
    return 0;
  }

  // ---- common LRU ----

  /** __local_list_flush: the CPU's pending nodes (oldest first) into the global active/inactive lists. */
  private localFlush(loc: LocalList): void {
    const p = loc.pending;
    for (let node = p.prev, tmp = node.prev; node !== p; node = tmp, tmp = node.prev) {
      const n = node as LruNode;
      this.moveIn(this.global, n, n.ref ? LruListType.ACTIVE : LruListType.INACTIVE);
    }
  }

  /** bpf_lru_list_pop_free_to_local: up to LOCAL_FREE_TARGET free nodes, shrinking for the rest. */
  private popFreeToLocal(loc: LocalList): void {
    const l = this.global;
    this.localFlush(loc);
    this.rotate(l);
    const free = l.lists[LruListType.FREE];
    this.make(l, 0, LOCAL_FREE_TARGET);
    let nfree = 0;
    for (let node = free.next, tmp = node.next; node !== free; node = tmp, tmp = node.next) {
      this.moveToFree(l, node as LruNode, loc.free, LruListType.LOCAL_FREE);
      if (++nfree === LOCAL_FREE_TARGET) break;
    }
    if (nfree < LOCAL_FREE_TARGET) this.shrink(l, LOCAL_FREE_TARGET - nfree, loc.free, LruListType.LOCAL_FREE);
  }

  private addPending(loc: LocalList, cpu: number, node: LruNode): void {
    node.cpu = cpu;
    node.type = LruListType.LOCAL_PENDING;
    node.ref = false;
    listAdd(node, loc.pending);
  }

  private static popLocalFree(loc: LocalList): LruNode | null {
    if (listEmpty(loc.free)) return null;
    const node = loc.free.next as LruNode;
    listDel(node);
    return node;
  }

  /** __local_list_pop_pending: the oldest pending node, unreferenced ones first. */
  private popPending(loc: LocalList): LruNode | null {
    const p = loc.pending;
    for (const force of [false, true]) {
      for (let node = p.prev; node !== p; node = node.prev) {
        const n = node as LruNode;
        if ((!n.ref || force) && this.delFromHtab(n)) {
          listDel(n);
          return n;
        }
      }
    }
    return null;
  }

  /** bpf_common_lru_pop_free. */
  private commonPopFree(cpu: number): LruNode | null {
    const loc = this.local[cpu]!;
    let node = BpfLru.popLocalFree(loc);
    if (node === null) {
      this.popFreeToLocal(loc);
      node = BpfLru.popLocalFree(loc);
    }
    if (node !== null) {
      this.addPending(loc, cpu, node);
      return node;
    }
    // Nothing free locally or globally: steal from the CPUs' local free or pending lists in turn.
    const first = loc.nextSteal;
    let steal = first;
    do {
      const s = this.local[steal]!;
      node = BpfLru.popLocalFree(s) ?? this.popPending(s);
      steal = (steal + 1) % this.nrCpus;
    } while (node === null && steal !== first);
    loc.nextSteal = steal;
    if (node !== null) this.addPending(loc, cpu, node);
    return node;
  }

  // ---- per-CPU LRU ----

  /** bpf_percpu_lru_pop_free: from this CPU's own list; the node goes to the inactive head. */
  private percpuPopFree(cpu: number): LruNode | null {
    const l = this.percpuLists[cpu]!;
    this.rotate(l);
    const free = l.lists[LruListType.FREE];
    if (listEmpty(free) && l.unmade === 0) this.shrink(l, PERCPU_FREE_TARGET, free, LruListType.FREE);
    if (listEmpty(free)) this.make(l, cpu, 1);
    if (listEmpty(free)) return null;
    const node = free.next as LruNode;
    node.ref = false;
    this.move(l, node, LruListType.INACTIVE);
    return node;
  }
}

/**
 * htab_map_alloc's max_entries for an LRU map with BPF_F_NO_COMMON_LRU: rounded up to a multiple of the
 * CPU count (down when rounding up overflows a u32), so every CPU's list has as many nodes.
 */
export function lruMaxEntries(maxEntries: number, percpuLru: boolean, nrCpus: number): number {
  if (!percpuLru) return maxEntries;
  // roundup() in u32 arithmetic: ((x + y - 1) / y) * y, wrapping.
  const up = Math.imul(Math.floor(((maxEntries + nrCpus - 1) >>> 0) / nrCpus), nrCpus) >>> 0;
  return up < maxEntries ? Math.floor(maxEntries / nrCpus) * nrCpus : up;
}
