export { netPathNorm, resnetImprovedBound } from './closed-form.js';
export { chainPathNorm, resnetPathBound, squaredFrobeniusSum, type ResNetBound } from './explicit.js';
