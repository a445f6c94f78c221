/** The uapi enums now live in src/uapi (one module of kernel names for every layer); re-exported here for the loader's modules. */
export * from '../uapi/enums.js';
