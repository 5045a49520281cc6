/** Undefined, non-weak CPython symbols that `library` references. */
export declare function pythonSymbolsReferencedBy(library: string): string[];
/** C source defining every symbol in `names` (objects as zeroed storage, functions as a loud abort). */
export declare function pyshimSource(names: string[]): string;
