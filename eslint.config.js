// Type-aware linting: floating promises, unsafe `any` and the like are errors, because a gate that
// drops a promise can pass without a verdict. Formatting is Prettier's job (eslint-config-prettier).
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.tmp/', 'tools/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // An AbortSignal's reason is `unknown` by design; rejecting with it passes the canceller's own error on.
      '@typescript-eslint/prefer-promise-reject-errors': [
        'error',
        { allowThrowingAny: true, allowThrowingUnknown: true },
      ],
      // Matching control characters is the point where remote text is neutralised (ESC, CR, C0 controls).
      'no-control-regex': 'off',
    },
  },
  {
    // The command's functions read at a glance (CONTRIBUTING: no function over about 80 lines).
    files: ['src/cli/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80 }] },
  },
  {
    files: ['__tests__/**/*.ts'],
    rules: {
      // Test doubles implement async interfaces with canned answers.
      '@typescript-eslint/require-await': 'off',
      // jest's asymmetric matchers (expect.any, expect.stringContaining, ...) are typed `any` by @types/jest.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // CommonJS entry points and Node scripts outside the TypeScript project.
    files: ['**/*.cjs', '**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
)
