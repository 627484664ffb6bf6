// Answered at request time: it reads the runtime environment (the database, the key), never the build.
export const dynamic = "force-dynamic";

export { answerFromNext as GET, answerFromNext as POST, answerFromNext as PUT, answerFromNext as PATCH, answerFromNext as DELETE, answerFromNext as OPTIONS } from "@/lib/api/next-route";
