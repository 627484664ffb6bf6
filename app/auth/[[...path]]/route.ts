// Every path under /auth, declared or not: lib/api/entry.ts matches it against the declarations.
export { answerFromNext as GET, answerFromNext as POST, answerFromNext as PUT, answerFromNext as PATCH, answerFromNext as DELETE, answerFromNext as OPTIONS } from "@/lib/api/next-route";
