import { afterEach, describe, expect, it, vi } from "vitest";
import { detectTheme, followTheme } from "../src/theme.js";

afterEach(() => {
  document.body.removeAttribute("data-jp-theme-light");
  document.body.className = "";
  document.body.replaceChildren();
});

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("theme", () => {
  it("follows JupyterLab's attribute, VS Code classes and an explicit choice", () => {
    const el = document.createElement("div");
    document.body.appendChild(el);
    document.body.setAttribute("data-jp-theme-light", "false");
    expect(detectTheme(el)).toBe("dark");
    expect(detectTheme(el, "light")).toBe("light");
    document.body.removeAttribute("data-jp-theme-light");
    document.body.className = "vscode-dark";
    expect(detectTheme(el)).toBe("dark");
    document.body.className = "vscode-light";
    expect(detectTheme(el)).toBe("light");
  });

  it("falls back to prefers-color-scheme", () => {
    const el = document.createElement("div");
    const orig = window.matchMedia;
    window.matchMedia = vi.fn((q) => ({
      matches: q.includes("dark"), media: q, addEventListener() {}, removeEventListener() {},
    }));
    expect(detectTheme(el)).toBe("dark");
    window.matchMedia = orig;
  });

  it("switches the root class live and stops after dispose", async () => {
    const root = document.createElement("div");
    document.body.appendChild(root);
    document.body.setAttribute("data-jp-theme-light", "true");
    const seen = [];
    const t = followTheme(root, () => "auto", (th) => seen.push(th));
    expect(root.classList.contains("bs-light")).toBe(true);
    document.body.setAttribute("data-jp-theme-light", "false");
    await tick();
    expect(root.classList.contains("bs-dark")).toBe(true);
    expect(seen).toEqual(["light", "dark"]);
    t.dispose();
    document.body.setAttribute("data-jp-theme-light", "true");
    await tick();
    expect(root.classList.contains("bs-dark")).toBe(true);
  });
});
