/** Moved to hack/image/runtime-spec.ts (the local environment runs the image the same way); this path stays for tests. */
export * from '../../../hack/image/runtime-spec.ts';
