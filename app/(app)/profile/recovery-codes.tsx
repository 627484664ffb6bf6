"use client";

import { useTranslations } from "next-intl";
import { CopyButton } from "@/components/copy-button";
import { FormMessage } from "@/components/form-message";
import { buttonStyles, mutedText } from "@/components/styles";
import { useFocusOnMount } from "@/components/use-focus-on-mount";

/**
 * The ten recovery codes, shown this once (only their digests are kept): to copy, to download as
 * a text file, and a clear way on once they are saved.
 */
export function RecoveryCodes({
  codes,
  heading,
  announcement,
  appName,
  email,
  onDone,
}: {
  codes: string[];
  heading: string;
  /** What just happened, read out as the codes appear. */
  announcement: string;
  appName: string;
  email: string;
  onDone: () => void;
}) {
  const headingRef = useFocusOnMount<HTMLHeadingElement>(true);
  const text = codes.join("\n");
  const t = useTranslations("account.recoveryCodes");

  const download = () => {
    const file = [t("fileTitle", { appName, email }), t("fileNote"), "", ...codes, ""].join("\n");
    const url = URL.createObjectURL(new Blob([file], { type: "text/plain;charset=utf-8" }));
    const link = Object.assign(document.createElement("a"), { href: url, download: `${slug(appName)}-recovery-codes.txt` });
    link.click();
    // After the click has handed the file to the browser.
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <div>
      <FormMessage status="success" message={announcement} />
      <h3 ref={headingRef} tabIndex={-1} className="text-base outline-none font-semibold text-slate-900 dark:text-white">
        {heading}
      </h3>
      <p className={`mt-1 text-sm ${mutedText}`}>
        {t("intro")}
      </p>
      <ol
        aria-label={t("listLabel")}
        className="mt-4 grid grid-cols-2 gap-x-6 gap-y-2 rounded-xl border border-slate-200 bg-slate-50 p-4 font-mono text-sm text-slate-900 sm:w-fit sm:gap-x-12 sm:px-6 sm:text-base dark:border-slate-700 dark:bg-slate-950 dark:text-slate-100"
      >
        {codes.map((code) => (
          <li key={code} dir="ltr" className="text-start tracking-wide tabular-nums select-all">
            {code}
          </li>
        ))}
      </ol>
      <div className="mt-4 flex flex-col gap-3 sm:flex-row sm:flex-wrap sm:items-center">
        <CopyButton text={text} className="w-full sm:w-auto" />
        <button type="button" onClick={download} className={`${buttonStyles.secondary} w-full sm:w-auto`}>
          <DownloadIcon />
          {t("download")}
        </button>
        <button type="button" onClick={onDone} className={`${buttonStyles.primary} w-full sm:ms-auto sm:w-auto`}>
          {t("done")}
        </button>
      </div>
    </div>
  );
}

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "account";

function DownloadIcon() {
  return (
    <svg className="size-4" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d="M12 4v11M7 10l5 5 5-5M5 20h14" />
    </svg>
  );
}
