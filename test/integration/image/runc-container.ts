/** Moved to hack/image/runc-container.ts (the local environment runs the image the same way); this path stays for tests. */
export * from '../../../hack/image/runc-container.ts';
