// One colour per machine of a merged view, by its position in the view (repeats after twelve).
const COLOURS = [
  { bar: "bg-sky-500", text: "text-sky-700 dark:text-sky-300" },
  { bar: "bg-amber-500", text: "text-amber-700 dark:text-amber-300" },
  { bar: "bg-emerald-500", text: "text-emerald-700 dark:text-emerald-300" },
  { bar: "bg-fuchsia-500", text: "text-fuchsia-700 dark:text-fuchsia-300" },
  { bar: "bg-orange-500", text: "text-orange-700 dark:text-orange-300" },
  { bar: "bg-teal-500", text: "text-teal-700 dark:text-teal-300" },
  { bar: "bg-violet-500", text: "text-violet-700 dark:text-violet-300" },
  { bar: "bg-lime-500", text: "text-lime-700 dark:text-lime-300" },
  { bar: "bg-rose-500", text: "text-rose-700 dark:text-rose-300" },
  { bar: "bg-cyan-500", text: "text-cyan-700 dark:text-cyan-300" },
  { bar: "bg-indigo-500", text: "text-indigo-700 dark:text-indigo-300" },
  { bar: "bg-yellow-500", text: "text-yellow-700 dark:text-yellow-300" },
] as const;

export type MachineColour = (typeof COLOURS)[number];

export function machineColour(index: number): MachineColour {
  return COLOURS[((index % COLOURS.length) + COLOURS.length) % COLOURS.length] as MachineColour;
}
