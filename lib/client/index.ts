// faultline/client: what a test process imports to watch injection points (it never loads server code).
export {};
