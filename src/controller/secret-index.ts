/**
 * Which CertificateDeployments use which Secret: `namespace/secret` → deployment keys. Kept
 * from the deployment informer's events, so a Secret change enqueues exactly the deployments
 * that read it, at once, without listing anything. A deployment reads its TLS Secret and the
 * credentials Secrets its targets reference (connector `secretRefs`, `host.ssh.credentialsRef`),
 * so one deployment may be indexed under several Secrets.
 */
export class SecretIndex {
  readonly #bySecret = new Map<string, Set<string>>();
  readonly #byDeployment = new Map<string, ReadonlySet<string>>();

  /** Records that deployment `key` reads the Secrets `secretKeys` (replacing what it read before). */
  set(key: string, secretKeys: Iterable<string>): void {
    this.delete(key);
    const keys = new Set(secretKeys);
    if (keys.size === 0) return;
    this.#byDeployment.set(key, keys);
    for (const secretKey of keys) {
      let set = this.#bySecret.get(secretKey);
      if (!set) this.#bySecret.set(secretKey, (set = new Set()));
      set.add(key);
    }
  }

  delete(key: string): void {
    const old = this.#byDeployment.get(key);
    if (old === undefined) return;
    this.#byDeployment.delete(key);
    for (const secretKey of old) {
      const set = this.#bySecret.get(secretKey);
      set?.delete(key);
      if (set?.size === 0) this.#bySecret.delete(secretKey);
    }
  }

  /** Deployment keys reading `secretKey`. */
  deploymentsFor(secretKey: string): string[] {
    return [...(this.#bySecret.get(secretKey) ?? [])];
  }

  /** Number of deployments indexed. */
  get size(): number {
    return this.#byDeployment.size;
  }
}
