/**
 * Kubernetes resource quantities (`512Mi`, `10Gi`, `500M`), as far as this project uses them:
 * whole numbers with no suffix, a decimal SI suffix (k, M, G, T, P) or a binary one (Ki … Pi).
 * Kubernetes also accepts fractions, exponents and milli-units (`0.5Gi`, `1e3`, `100m`); no
 * setting here takes them, so the patterns refuse them and the parser never meets them.
 * (`@kubernetes/client-node`'s `quantityToScalar` parses the full grammar, but it comes with the
 * whole API client; this table is the one definition the components, config and guards share.)
 */
const UNIT_BYTES: Record<string, number> = {
    "": 1,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
};

/** Bytes in a GiB: how mongod counts its cache ("GB" of 1024 MB). */
export const GI = UNIT_BYTES.Gi;

/** A storage quantity as the stack accepts it: a positive whole number with an optional suffix. */
export const STORAGE_QUANTITY = /^([1-9][0-9]*)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/;

/** A memory quantity as the stack accepts it: a whole number of Mi or Gi. */
export const MEMORY_QUANTITY = /^([1-9][0-9]*)(Mi|Gi)$/;

/** Bytes of a quantity of the form STORAGE_QUANTITY (or MEMORY_QUANTITY, a subset) accepts: `10Gi`, `500M`, `1073741824`. */
export function quantityBytes(quantity: string): number {
    const match = STORAGE_QUANTITY.exec(quantity);
    if (!match) {
        throw new Error(`not a Kubernetes quantity of whole bytes, k…P or Ki…Pi: ${JSON.stringify(quantity)}`);
    }
    return Number(match[1]) * UNIT_BYTES[match[2] ?? ""];
}

/**
 * Bytes of a memory quantity such as `512Mi` or `2Gi` (see MEMORY_QUANTITY).
 * @deprecated the same parser as quantityBytes; kept so that 0.3.0's programs keep compiling.
 */
export const memoryBytes = quantityBytes;
