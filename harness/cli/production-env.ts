// Imported first by the CLI: React decides between its development and production builds when it is
// first loaded. The development build is slower and prints ink-internal key warnings onto the dashboard.
process.env.NODE_ENV ??= 'production';
export {};
