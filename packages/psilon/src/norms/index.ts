export { netPathNorm, resnetImprovedBound } from './closed-form.js';
export { chainPathNorm, resnetPathBound, l2Penalty, type ResNetBound } from './explicit.js';
