// Text someone else wrote (a reason, a comment, a node's words) inside Minos's own sentences: isolated
// (<bdi>) so that bidirectional controls in it cannot reorder the words around it, and with those
// controls shown (⟨U+202E⟩) rather than obeyed.
import { visibleControls } from "@/server/model/untrusted-text";

export function Untrusted({ text }: { text: string }) {
  return <bdi>{visibleControls(text)}</bdi>;
}
