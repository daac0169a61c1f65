/**
 * Which CertificateDeployments use which Secret: `namespace/secret` → deployment keys. Kept
 * from the deployment informer's events, so a Secret change enqueues exactly the deployments
 * that read it, at once, without listing anything.
 */
export class SecretIndex {
  readonly #bySecret = new Map<string, Set<string>>();
  readonly #byDeployment = new Map<string, string>();

  /** Records that deployment `key` reads Secret `secretKey` (replacing what it read before). */
  set(key: string, secretKey: string | undefined): void {
    this.delete(key);
    if (secretKey === undefined) return;
    this.#byDeployment.set(key, secretKey);
    let set = this.#bySecret.get(secretKey);
    if (!set) this.#bySecret.set(secretKey, (set = new Set()));
    set.add(key);
  }

  delete(key: string): void {
    const old = this.#byDeployment.get(key);
    if (old === undefined) return;
    this.#byDeployment.delete(key);
    const set = this.#bySecret.get(old);
    set?.delete(key);
    if (set?.size === 0) this.#bySecret.delete(old);
  }

  /** Deployment keys reading `secretKey`. */
  deploymentsFor(secretKey: string): string[] {
    return [...(this.#bySecret.get(secretKey) ?? [])];
  }

  get size(): number {
    return this.#byDeployment.size;
  }
}
