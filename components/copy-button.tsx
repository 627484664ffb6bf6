"use client";

import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import { buttonStyles } from "./styles";

/**
 * Copies `text` to the clipboard and says so for a moment (the button keeps its name; the result
 * is announced through a live region beside it).
 */
export function CopyButton({ text, label, className }: { text: string; label?: string; className?: string }) {
  const t = useTranslations("common.copy");
  const [result, setResult] = useState<"copied" | "failed" | null>(null);

  useEffect(() => {
    if (result !== "copied") return;
    const timer = setTimeout(() => setResult(null), 2500);
    return () => clearTimeout(timer);
  }, [result]);

  return (
    <>
      <button
        type="button"
        className={`${buttonStyles.secondary} ${className ?? ""}`}
        onClick={() =>
          navigator.clipboard.writeText(text).then(
            () => setResult("copied"),
            () => setResult("failed"),
          )
        }
      >
        <CopyIcon />
        {result === "copied" ? t("copied") : (label ?? t("label"))}
      </button>
      <span role="status" className={result === "failed" ? "text-sm text-red-700 dark:text-red-400" : "sr-only"}>
        {result === "copied" ? t("copiedStatus") : result === "failed" ? t("failed") : ""}
      </span>
    </>
  );
}

function CopyIcon() {
  return (
    <svg className="size-4" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <rect x="9" y="9" width="12" height="12" rx="2" />
      <path d="M5 15H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1h10a1 1 0 0 1 1 1v1" />
    </svg>
  );
}
