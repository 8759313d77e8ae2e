import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "jsdom",
    include: ["test/**/*.test.js"],
    css: false,
    pool: "threads",
    maxWorkers: 2,
  },
});
