// Tailwind CSS 4 through PostCSS, as Next.js expects.
export default { plugins: { "@tailwindcss/postcss": {} } };
